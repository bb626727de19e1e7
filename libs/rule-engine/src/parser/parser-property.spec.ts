import fc from 'fast-check';
import { compileRule, RuleCompileError, RuleSqlError } from '../index';

const onlyRuleErrors = (sql: string): void => {
  try {
    compileRule(sql);
  } catch (error) {
    if (error instanceof RuleSqlError) {
      expect(error.line).toBeGreaterThanOrEqual(1);
      expect(error.column).toBeGreaterThanOrEqual(1);
      return;
    }
    if (error instanceof RuleCompileError) return;
    throw error;
  }
};

// fragments that look like rule SQL, so that random programs get deep into the grammar
const fragment = fc.constantFrom(
  'SELECT',
  'FOREACH',
  'DO',
  'INCASE',
  'FROM',
  'WHERE',
  'AND',
  'OR',
  'NOT',
  'IN',
  'AS',
  'CASE',
  'WHEN',
  'THEN',
  'ELSE',
  'END',
  '*',
  ',',
  '.',
  '(',
  ')',
  '[',
  ']',
  '[1..2]',
  '+',
  '-',
  '/',
  'div',
  'mod',
  '=',
  '!=',
  '<>',
  '>=',
  '<=',
  '=~',
  'payload',
  'payload.a',
  'x[1]',
  "'s'",
  '"t/#"',
  '"$events/x"',
  '1',
  '2.5',
  'abs',
  'upper',
  'topic',
  'true',
  'null',
  '\n',
  '--c\n',
  "'",
  '"',
);

describe('parser robustness', () => {
  it('random text only ever raises RuleSqlError or RuleCompileError', () => {
    fc.assert(fc.property(fc.string({ maxLength: 80 }), onlyRuleErrors), { numRuns: 2000 });
  });

  it('random token soup only ever raises RuleSqlError or RuleCompileError', () => {
    fc.assert(
      fc.property(fc.array(fragment, { maxLength: 30 }), (parts) => onlyRuleErrors(parts.join(' '))),
      { numRuns: 3000 },
    );
  });

  // stack bounds: long runs of whatever nests (brackets, calls, NOT, operator chains, CASE, paths)
  it('huge and deeply nested random SQL only ever raises RuleSqlError or RuleCompileError', () => {
    const nesting = fc.constantFrom(
      '(',
      'abs(',
      'NOT ',
      '- ',
      '1 + ',
      'a AND ',
      'CASE WHEN ',
      '[',
      'x[',
      'payload.a.',
    );
    const run = fc.tuple(nesting, fc.integer({ min: 1, max: 5_000 }));
    fc.assert(
      fc.property(
        fc.array(run, { minLength: 1, maxLength: 4 }),
        fc.array(fragment, { maxLength: 10 }),
        (runs, tail) => {
          const head = runs.map(([text, times]) => text.repeat(times)).join('');
          onlyRuleErrors(`SELECT ${head} ${tail.join(' ')} FROM "t"`);
          onlyRuleErrors(`SELECT 1 FROM "t" WHERE ${head} ${tail.join(' ')}`);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('compiled random rules never throw when evaluated', () => {
    const payloads = fc.oneof(fc.json(), fc.string());
    fc.assert(
      fc.property(fc.array(fragment, { maxLength: 20 }), payloads, (parts, payload) => {
        let rule;
        try {
          rule = compileRule(`SELECT ${parts.join(' ')} FROM "t"`);
        } catch {
          return;
        }
        expect(() => rule.evaluate({ topic: 't', payload })).not.toThrow();
      }),
      { numRuns: 3000 },
    );
  });
});
