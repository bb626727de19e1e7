import fc from 'fast-check';
import { compileRule } from '../index';
import { RuleRuntimeError } from '../errors';
import { jsonNestsDeeperThan, MAX_JSON_DEPTH } from './json-depth';

const nested = (depth: number, open = '[', close = ']'): string => open.repeat(depth) + close.repeat(depth);

describe('JSON depth bound', () => {
  it('measures the nesting of arrays and objects, not brackets inside strings', () => {
    expect(jsonNestsDeeperThan(nested(3), 3)).toBe(false);
    expect(jsonNestsDeeperThan(nested(4), 3)).toBe(true);
    expect(jsonNestsDeeperThan('{"a":{"b":{"c":{"d":1}}}}', 3)).toBe(true);
    expect(jsonNestsDeeperThan(`["${'['.repeat(50)}", "\\"[[[[[[["]`, 3)).toBe(false);
    expect(jsonNestsDeeperThan('[[1],[2],[3],[4],[5],[6],[7]]', 3)).toBe(false);
  });

  it('decodes a payload at the bound and fails the rule, not the process, beyond it', () => {
    const rule = compileRule('SELECT payload.a as a FROM "t"');
    const atBound = `{"a":${nested(MAX_JSON_DEPTH - 1)}}`;
    expect(rule.evaluate({ topic: 't', payload: atBound })).toMatchObject({ matched: true });
    for (const depth of [MAX_JSON_DEPTH + 1, 100_000]) {
      const result = rule.evaluate({ topic: 't', payload: `{"a":${nested(depth)}}` });
      if (!('error' in result)) throw new Error('expected a rule error');
      expect(result.error).toBeInstanceOf(RuleRuntimeError);
      expect(result.error.message).toBe(
        `SELECT: payload is JSON nested deeper than ${MAX_JSON_DEPTH} levels`,
      );
    }
  });

  it('bounds json_decode and paths into JSON text the same way', () => {
    const deep = JSON.stringify(nested(100_000));
    const decode = compileRule(`SELECT json_decode(${deep.replace(/"/g, "'")}) as v FROM "t"`);
    expect(decode.evaluate({ topic: 't' })).toMatchObject({
      error: { message: `SELECT: json_decode: JSON nested deeper than ${MAX_JSON_DEPTH} levels` },
    });
    const path = compileRule('SELECT payload.s.x as v FROM "t"');
    expect(
      path.evaluate({ topic: 't', payload: JSON.stringify({ s: nested(100_000, '{"x":', '}') }) }),
    ).toMatchObject({ error: { message: `SELECT: JSON text nested deeper than ${MAX_JSON_DEPTH} levels` } });
  });

  it('fuzz: any payload text gives a result and never throws (deep, broken or random JSON)', () => {
    const rules = [
      compileRule('SELECT * FROM "t"'),
      compileRule('SELECT payload.a.b as x, json_encode(payload) as j FROM "t" WHERE payload.a != 1'),
      compileRule('FOREACH payload.list as i DO i.v as v FROM "t"'),
    ];
    const deepText = fc
      .tuple(fc.integer({ min: 0, max: 20_000 }), fc.constantFrom('[', '{"a":', '{"list":['), fc.boolean())
      .map(
        ([depth, open, closed]) => open.repeat(depth) + (closed ? '1' : '') + ']'.repeat(closed ? depth : 0),
      );
    fc.assert(
      fc.property(fc.oneof(deepText, fc.json(), fc.string()), (payload) => {
        for (const rule of rules) {
          const result = rule.evaluate({ topic: 't', payload });
          // what the rules stage does next with an output: it must encode without overflowing
          if ('outputs' in result) expect(() => JSON.stringify(result.outputs)).not.toThrow();
        }
      }),
      { numRuns: 300 },
    );
  });
});
