import { compileRule, type RuleContext } from '../index';

/** Counts JSON.parse calls made while `run` executes. */
function countParses(run: () => void): number {
  const original = JSON.parse;
  let calls = 0;
  const spy = vi
    .spyOn(JSON, 'parse')
    .mockImplementation((text: string, reviver?: Parameters<typeof JSON.parse>[1]) => {
      calls++;
      return original(text, reviver) as unknown;
    });
  try {
    run();
  } finally {
    spy.mockRestore();
  }
  return calls;
}

describe('payload decoding', () => {
  const ctx: RuleContext = { topic: 't', clientid: 'c', payload: '{"a":1,"b":2,"c":{"d":3}}' };

  it('does not parse the payload when no payload field is read', () => {
    const rule = compileRule('SELECT clientid, payload, topic FROM "t" WHERE clientid = \'c\'');
    expect(countParses(() => expect(rule.evaluate(ctx)).toMatchObject({ matched: true }))).toBe(0);
  });

  it('does not parse a payload that is not JSON unless a field is read', () => {
    const rule = compileRule('SELECT payload AS p FROM "t"');
    expect(rule.evaluate({ topic: 't', payload: 'not json' })).toEqual({
      matched: true,
      outputs: [{ p: 'not json' }],
    });
  });

  it('parses the payload once per message however many fields are read', () => {
    const rule = compileRule(
      'SELECT payload.a, payload.b, payload.c.d FROM "t" WHERE payload.a = 1 AND payload.b = 2',
    );
    expect(countParses(() => expect(rule.evaluate(ctx)).toMatchObject({ matched: true }))).toBe(1);
    expect(countParses(() => rule.evaluate(ctx))).toBe(1);
  });

  it('parses each message afresh', () => {
    const rule = compileRule('SELECT payload.a AS a FROM "t"');
    expect(rule.evaluate({ payload: '{"a":1}' })).toEqual({ matched: true, outputs: [{ a: 1 }] });
    expect(rule.evaluate({ payload: '{"a":2}' })).toEqual({ matched: true, outputs: [{ a: 2 }] });
  });

  it('decodes a byte payload as UTF-8', () => {
    const rule = compileRule('SELECT payload.name AS n FROM "t"');
    expect(rule.evaluate({ payload: new TextEncoder().encode('{"name":"Zürich"}') })).toEqual({
      matched: true,
      outputs: [{ n: 'Zürich' }],
    });
  });

  it('accepts a payload given already decoded', () => {
    const rule = compileRule('SELECT payload.a AS a FROM "t"');
    expect(rule.evaluate({ payload: { a: 3 } })).toEqual({ matched: true, outputs: [{ a: 3 }] });
  });
});
