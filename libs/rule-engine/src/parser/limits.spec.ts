import { compileRule, RuleSqlError } from '../index';
import { MAX_EXPRESSION_HEIGHT, MAX_SQL_LENGTH } from './limits';

const syntaxError = (sql: string): RuleSqlError => {
  try {
    compileRule(sql);
  } catch (error) {
    if (error instanceof RuleSqlError) return error;
    throw error;
  }
  throw new Error('compiled');
};

describe('rule SQL size bounds', () => {
  it('compiles a SELECT of 10,000 aliased fields and evaluates every one', () => {
    const n = 10_000;
    const fields = Array.from({ length: n }, (_, i) => `payload.a${i} as c${i}`).join(', ');
    const rule = compileRule(`SELECT ${fields} FROM "t/#"`);
    const payload = JSON.stringify(Object.fromEntries(Array.from({ length: n }, (_, i) => [`a${i}`, i])));
    const result = rule.evaluate({ topic: 't/1', payload });
    if (!('outputs' in result)) throw new Error(`no outputs: ${JSON.stringify(result)}`);
    const out = result.outputs[0]!;
    expect(Object.keys(out)).toHaveLength(n);
    expect(out['c0']).toBe(0);
    expect(out[`c${n - 1}`]).toBe(n - 1);
  });

  it('refuses SQL longer than the bound with an error that says so', () => {
    const sql = `SELECT '${'x'.repeat(MAX_SQL_LENGTH)}' as s FROM "t"`;
    const error = syntaxError(sql);
    expect(error.message).toBe(
      `rule SQL is ${sql.length} characters long, more than the ${MAX_SQL_LENGTH} allowed at line 1, column 1`,
    );
  });

  it('accepts a chain of operators up to the height bound and evaluates it', () => {
    const terms = MAX_EXPRESSION_HEIGHT; // n terms make n - 1 nested additions under the field
    const rule = compileRule(`SELECT ${Array(terms).fill('payload.a').join(' + ')} as x FROM "t"`);
    expect(rule.evaluate({ topic: 't', payload: '{"a":2}' })).toEqual({
      matched: true,
      outputs: [{ x: 2 * terms }],
    });
  });

  it.each([
    ['+', (n: number) => `SELECT ${Array(n).fill('1').join(' + ')} as x FROM "t"`],
    ['AND', (n: number) => `SELECT 1 as x FROM "t" WHERE ${Array(n).fill('a = 1').join(' AND ')}`],
    ['OR', (n: number) => `SELECT 1 as x FROM "t" WHERE ${Array(n).fill('a = 1').join(' OR ')}`],
    ['*', (n: number) => `SELECT ${Array(n).fill('2').join(' * ')} as x FROM "t"`],
  ])('refuses a chain of %s deeper than the bound (a syntax error, not a stack overflow)', (_, make) => {
    for (const n of [MAX_EXPRESSION_HEIGHT + 2, 20_000]) {
      const error = syntaxError(make(n));
      expect(error.detail).toBe(
        `expression nested too deeply (more than ${MAX_EXPRESSION_HEIGHT} operators inside one another)`,
      );
    }
  });

  it('bounds chains nested in brackets as well (heights add up)', () => {
    const chain = Array(400).fill('1').join(' + ');
    const sql = `SELECT (((${chain}) + ${chain}) + ${chain}) as x FROM "t"`;
    expect(syntaxError(sql).detail).toMatch(/^expression nested too deeply/);
  });
});
