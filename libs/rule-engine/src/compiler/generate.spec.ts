import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { parseJson, stringifyJson } from '../numbers/json-numbers';
import type { RuleContext, RuleResult } from '../types';
import { compileRuleWith, generatedSource } from './compile-rule';

// The generated code's safety property (docs/adr/0007-rule-engine-generated-code.md): no rule text
// ever reaches the source. Checked two ways on random rules: the source of a rule does not change
// when every name, key, string and number in it changes, and the source uses only the fixed
// vocabulary of generate.ts. Then: generated code and the closures give the same results.

/** Text that would break out of any literal or comment it were pasted into. */
const hostile = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom(
    "'); process.exit(1); ('",
    '"); throw 1; ("',
    '`${process.exit(1)}`',
    '*/ process.exit(1) /*',
    '\\',
    '\n}); process.exit(1); ({\n',
    '\u2028',
    '__proto__',
    'constructor',
    'k[0]',
    'h.compare',
    '0',
  ),
);
// a quoted SQL string or path key: a doubled quote stays inside it (parser/lexer.ts)
const sqlString = (text: string): string => `'${text.replace(/'/g, "''")}'`;
const identifier = fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/).map((name) => `x_${name}`);
const number = fc.oneof(
  fc.integer({ min: 0, max: 1_000_000 }).map(String),
  fc.double({ min: 0, max: 1e6, noNaN: true }).map((n) => n.toFixed(3)),
  fc.constantFrom('2.0', '1.5e3', '123456789012345678901'),
);

interface Holes {
  keys: string[];
  names: string[];
  strings: string[];
  numbers: string[];
}
const holes = fc.record({
  keys: fc.array(hostile, { minLength: 4, maxLength: 4 }),
  names: fc.uniqueArray(identifier, { minLength: 5, maxLength: 5 }),
  strings: fc.array(hostile, { minLength: 3, maxLength: 3 }),
  numbers: fc.array(number, { minLength: 3, maxLength: 3 }),
});

/** Rules covering every emitter of generate.ts, with holes for everything a user writes. */
const templates: ((h: Holes) => string)[] = [
  ({ keys: [k1, k2, k3], names: [a1, a2, a3, a4, c1], strings: [s1, s2], numbers: [n1, n2, n3] }) =>
    `SELECT payload.${sqlString(k1!)} AS ${a1}, upper(${c1}) AS ${a2}, ` +
    `round(payload.${sqlString(k2!)}.${sqlString(k3!)}[2] * ${n1} + ${n2} - ${n3}) AS ${a3}, ${sqlString(s1!)} AS ${a4} ` +
    `FROM "t/#" WHERE payload.${sqlString(k1!)} > ${n3} AND ${c1} = ${sqlString(s2!)} OR NOT ${a1} <= ${n2}`,
  ({ keys: [k1, k2, k3], names: [a1, a2, a3, c1], strings: [s1, s2], numbers: [n1] }) =>
    `FOREACH payload.${sqlString(k1!)} AS ${a1} DO ${a1}.${sqlString(k2!)} AS ${a2}, ${c1}, ` +
    `${sqlString(s1!)} AS ${a3} INCASE ${a1}.${sqlString(k2!)} > ${n1} OR ${a1}.${sqlString(k3!)} != ${sqlString(s2!)} FROM "t/#"`,
  ({ keys: [k1, k2, k3, k4], names: [a1, a2, c1], strings: [s1, s2, s3], numbers: [n1, n2] }) =>
    `SELECT *, payload.${sqlString(k1!)}.${sqlString(k4!)} AS ${a1}, ` +
    `CASE ${c1} WHEN ${sqlString(s1!)} THEN ${n1} ELSE ${sqlString(s2!)} END AS ${a2} FROM "t/#" ` +
    `WHERE topic(1) =~ ${sqlString(s3!)} AND payload.${sqlString(k2!)}.${sqlString(k3!)} in (${n1}, ${n2})`,
];

// everything generate.ts writes besides k[<index>], t<index> and the number 0
const VOCABULARY = new Set(
  (
    'const let try catch return if throw typeof new for continue undefined true false null ' +
    'env ctx h k o i error clause value list outputs matched out item selected push length event ' +
    'payload decodedPayload call Array isArray Number isSafeInteger isInteger EvalEnv NO_MATCH NO_OUTPUT ' +
    'Float instanceof ' +
    'asRuntimeError compare conditionError getOwn payloadList putOutput rawPayload requireBoolean ' +
    'stepIndex'
  ).split(' '),
);
const STRING_LITERALS = new Set(["'number'", "'object'", "'string'"]);

function vocabularyViolations(source: string): string[] {
  const stripped = source.replace(/\bk\[\d+\]/g, ' ').replace(/\bt\d+\b/g, ' ');
  const strings = stripped.match(/'[^']*'|"[^"]*"|`[^`]*`/g) ?? [];
  const rest = stripped.replace(/'[^']*'|"[^"]*"|`[^`]*`/g, ' ');
  const words = rest.match(/[^\s!%&()*+,./:;<=>?[\]{}|-]+/g) ?? [];
  return [
    ...strings.filter((s) => !STRING_LITERALS.has(s)),
    ...words.filter((w) => !VOCABULARY.has(w) && w !== '0'),
  ];
}

describe('generated rule code', () => {
  it('has the same source whatever names, keys, strings and numbers the rule holds', () => {
    fc.assert(
      fc.property(fc.nat(templates.length - 1), holes, holes, (t, a, b) => {
        const template = templates[t] as (h: Holes) => string;
        expect(generatedSource(template(a))).toBe(generatedSource(template(b)));
      }),
      { numRuns: 300 },
    );
  });

  it('writes only its own vocabulary: no rule text, no literal but typeof names', () => {
    fc.assert(
      fc.property(fc.nat(templates.length - 1), holes, (t, h) => {
        const source = generatedSource((templates[t] as (h: Holes) => string)(h));
        expect(vocabularyViolations(source)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('runs the most deeply nested expression the parser accepts, and a path too long to inline', () => {
    let deepest = 0;
    for (let n = 50; n <= 1000; n += 50) {
      const sql = `SELECT ${'payload.a + ('.repeat(n)}1${')'.repeat(n)} AS s FROM "t/#"`;
      let rule;
      try {
        rule = compileRuleWith(sql, 'generated');
      } catch {
        break; // the parser's bound (a RuleSqlError, parser/limits.ts)
      }
      expect(rule.evaluate({ payload: '{"a":1}' })).toEqual({ matched: true, outputs: [{ s: n + 1 }] });
      deepest = n;
    }
    expect(deepest).toBeGreaterThanOrEqual(100);
    const long = compileRuleWith(`SELECT payload${'.a'.repeat(40)} AS v FROM "t/#"`, 'generated');
    const payload = `${'{"a":'.repeat(40)}7${'}'.repeat(40)}`;
    expect(long.evaluate({ payload })).toEqual({ matched: true, outputs: [{ v: 7 }] });
  });

  it('the vocabulary check catches text pasted into the source', () => {
    // the check itself must fail on what an escaping bug would produce
    expect(vocabularyViolations("o[k[1]] = 'x'); process.exit(1); (''")).not.toEqual([]);
    expect(vocabularyViolations('o[k[1]] = t0.constructor;')).toEqual(['constructor']);
    expect(vocabularyViolations('o[k[1]] = 42;')).toEqual(['42']);
  });
});

/** A result as a comparable value: outputs with their key order, errors by message and clause. */
function normalise(result: RuleResult): unknown {
  if ('error' in result) return { error: result.error.message, clause: result.error.clause };
  if (!result.matched) return { matched: false };
  return { outputs: result.outputs, text: stringifyJson(result.outputs), keys: keyOrder(result.outputs) };
}

function keyOrder(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(keyOrder);
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype)
    return Object.entries(value).map(([key, v]) => [key, keyOrder(v)]);
  return null;
}

function sameResults(sql: string, contexts: readonly RuleContext[]): void {
  let closures;
  try {
    closures = compileRuleWith(sql, 'closures');
  } catch (error) {
    // both refuse, with the same error
    expect(() => compileRuleWith(sql, 'generated')).toThrow((error as Error).message);
    return;
  }
  const generated = compileRuleWith(sql, 'generated');
  for (const ctx of contexts) {
    const [a, b] = [normalise(generated.evaluate(ctx)), normalise(closures.evaluate(ctx))];
    if (!isDeepStrictEqual(a, b)) expect({ sql, ctx, generated: a }).toEqual({ sql, ctx, closures: b });
  }
}

describe('generated code and closures', () => {
  it('give the same result on every EMQX case of libs/rule-engine/test/emqx-rule-cases.jsonl', () => {
    const file = join(__dirname, '..', '..', 'test', 'emqx-rule-cases.jsonl');
    const cases = readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => parseJson(line) as { sql: string; context: RuleContext });
    expect(cases.length).toBeGreaterThan(300);
    for (const c of cases) sameResults(c.sql, [c.context]);
  });

  const rules = [
    'SELECT payload.a AS a, payload.b + payload.a AS s, payload.a * payload.b AS p, payload.a - payload.b AS d FROM "t/#"',
    'SELECT payload.a AS x, x + 1 AS y, y * 2.0 AS z, payload AS raw FROM "t/#" WHERE z > 3',
    'SELECT payload.a AS a FROM "t/#" WHERE payload.a AND payload.b',
    'SELECT payload.a AS a FROM "t/#" WHERE payload.a OR payload.b = 1',
    'SELECT payload.a AS a FROM "t/#" WHERE NOT payload.a',
    'SELECT payload.a AS a FROM "t/#" WHERE payload.a',
    'SELECT payload.a.b AS ab, payload.\'__proto__\' AS p, payload.constructor AS c, payload.l[2] AS l2, payload.l[-1] AS last FROM "t/#"',
    'SELECT upper(payload.s) AS u, round(payload.a * 1.8 + 32) AS f, topic(1) AS t1, clientid() AS c, event FROM "t/#"',
    'SELECT lower(payload.s) AS l, upper(payload.a) AS u, lower(payload.l) AS x FROM "t/#"',
    'SELECT round(payload.a) AS r, floor(payload.b / 3) AS f, ceil(payload.a * 0.5) AS c, round(payload.s) AS s FROM "t/#"',
    'SELECT payload.a AS a, payload.a AS a FROM "t/#"',
    'SELECT payload.a AS x.y, payload.b AS x.z FROM "t/#"',
    'SELECT *, payload.a AS a FROM "t/#" WHERE payload.a >= payload.b',
    "SELECT payload.s + '!' AS s, payload.a / 2 AS h, payload.a div 2 AS q FROM \"t/#\" WHERE payload.s != 'x'",
    'SELECT payload.a AS a, CASE WHEN a > 1 THEN 1 ELSE 0 END AS c, payload.l[1..2] AS r FROM "t/#" WHERE a in (1, 2.0, 3)',
    'FOREACH payload.l AS e DO e.v AS v, e.id AS id, clientid INCASE e.v > 0 FROM "t/#"',
    'FOREACH payload.l FROM "t/#"',
    'FOREACH payload AS e DO e FROM "t/#"',
    'FOREACH payload.l AS e DO * INCASE e.v FROM "t/#"',
    'SELECT payload.a AS a, payload.l AS l FOREACH l AS e DO e.v + a AS s, item INCASE e.v < a FROM "t/#"',
    'FOREACH payload.l AS e DO e.v AS v, v * 2 AS w, e AS whole FROM "t/#" WHERE payload.a > 0',
  ];
  const values = fc.oneof(
    fc.integer({ min: -5, max: 5 }).map(String),
    fc.constantFrom(
      '2.0',
      '-0.0',
      '1.5',
      '1e308',
      '9007199254740993',
      '"x"',
      '"3"',
      'true',
      'null',
      '{}',
      '[]',
    ),
  );
  const payload = fc
    .record({
      a: values,
      b: values,
      s: fc.constantFrom('"abc"', '"x"', '1', 'null'),
      l: fc.array(
        fc.oneof(
          values,
          fc.record({ v: values, id: values }).map(({ v, id }) => `{"v":${v},"id":${id}}`),
        ),
        { maxLength: 4 },
      ),
      extra: fc.constantFrom('', ',"__proto__":{"x":1}', ',"constructor":5'),
    })
    .map(({ a, b, s, l, extra }) => `{"a":${a},"b":${b},"s":${s},"l":[${l.join(',')}]${extra}}`);
  const context = fc.oneof(
    payload.map((p): RuleContext => ({ topic: 't/a', clientid: 'c1', payload: p })),
    fc.constantFrom<RuleContext>(
      { topic: 't/a', payload: 'not json' },
      { topic: 't/a' },
      { topic: 't/a', payload: '[1,2,{"v":3}]' },
    ),
  );

  it('give the same result on random payloads for rules of every shape', () => {
    for (const sql of rules) {
      fc.assert(
        fc.property(fc.array(context, { minLength: 1, maxLength: 8 }), (contexts) =>
          sameResults(sql, contexts),
        ),
        { numRuns: 60 },
      );
    }
  });
});
