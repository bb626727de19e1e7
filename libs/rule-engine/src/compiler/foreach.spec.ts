import { compileRule, type RuleContext } from '../index';

const ctx: RuleContext = {
  topic: 'f/1',
  clientid: 'c1',
  payload: JSON.stringify({
    id: 'dev',
    sensors: [
      { name: 'a', v: 1 },
      { name: 'b', v: 5 },
      { name: 'c', v: 9 },
    ],
  }),
};

describe('FOREACH', () => {
  // emqx/emqx apps/emqx_rule_engine/src/emqx_rule_runtime.erl, ensure_list/2: the bare payload
  // column is decoded before iterating; text that is not a JSON list yields no item
  it('iterates a payload that is itself a JSON array', () => {
    const rule = compileRule('FOREACH payload AS p DO p.v AS v FROM "t/#"');
    expect(rule.evaluate({ topic: 't/1', payload: '[{"v":1},{"v":2}]' })).toEqual({
      matched: true,
      outputs: [{ v: 1 }, { v: 2 }],
    });
    expect(rule.evaluate({ topic: 't/1', payload: 'not json' })).toEqual({ matched: true, outputs: [] });
    expect(rule.evaluate({ topic: 't/1', payload: '{"v":1}' })).toEqual({ matched: true, outputs: [] });
  });

  it('yields one output per item, with DO fields and the default item name', () => {
    const result = compileRule('FOREACH payload.sensors DO item.name AS n, clientid FROM "f/#"').evaluate(
      ctx,
    );
    expect(result).toEqual({
      matched: true,
      outputs: [
        { n: 'a', clientid: 'c1' },
        { n: 'b', clientid: 'c1' },
        { n: 'c', clientid: 'c1' },
      ],
    });
  });

  it('filters items with INCASE and names the item with AS', () => {
    const result = compileRule(
      'FOREACH payload.sensors AS s DO s.v * 10 AS v INCASE s.v > 2 FROM "f/#"',
    ).evaluate(ctx);
    expect(result).toEqual({ matched: true, outputs: [{ v: 50 }, { v: 90 }] });
  });

  it('without DO, outputs the columns with the item added', () => {
    const result = compileRule('FOREACH payload.sensors AS s INCASE s.v = 9 FROM "f/#"').evaluate(ctx);
    expect(result).toEqual({
      matched: true,
      outputs: [{ ...ctx, event: 'message.publish', s: { name: 'c', v: 9 } }],
    });
  });

  it('evaluates earlier fields and lets WHERE read them and the list alias', () => {
    const sql =
      'FOREACH payload.id AS dev, payload.sensors AS s DO s.name AS n FROM "f/#" WHERE dev = \'dev\'';
    expect(compileRule(sql).evaluate(ctx)).toMatchObject({
      matched: true,
      outputs: [{ n: 'a' }, { n: 'b' }, { n: 'c' }],
    });
    const filtered = 'FOREACH payload.sensors AS s DO s.name AS n FROM "f/#" WHERE is_null(s)';
    expect(compileRule(filtered).evaluate(ctx)).toEqual({ matched: false });
  });

  it('lets DO and INCASE read the FOREACH fields, and outputs them without DO', () => {
    const sql =
      'FOREACH payload.id AS dev, payload.sensors AS s DO dev AS d, s.name AS n INCASE dev = \'dev\' AND s.v > 4 FROM "f/#"';
    expect(compileRule(sql).evaluate(ctx)).toEqual({
      matched: true,
      outputs: [
        { d: 'dev', n: 'b' },
        { d: 'dev', n: 'c' },
      ],
    });
    const noDo = compileRule(
      'FOREACH payload.id AS dev, payload.sensors AS s INCASE s.v = 1 FROM "f/#"',
    ).evaluate(ctx);
    expect(noDo).toEqual({
      matched: true,
      outputs: [{ ...ctx, event: 'message.publish', dev: 'dev', s: { name: 'a', v: 1 } }],
    });
  });

  it('iterates a range literal and a list literal', () => {
    expect(compileRule('FOREACH [1..3] AS x DO x * 2 AS y FROM "f/#"').evaluate(ctx)).toEqual({
      matched: true,
      outputs: [{ y: 2 }, { y: 4 }, { y: 6 }],
    });
    expect(compileRule("FOREACH ['p', 'q'] DO item AS i FROM \"f/#\"").evaluate(ctx)).toEqual({
      matched: true,
      outputs: [{ i: 'p' }, { i: 'q' }],
    });
  });

  it('gives no outputs for a value that is not a list', () => {
    expect(compileRule('FOREACH payload.id DO item AS i FROM "f/#"').evaluate(ctx)).toEqual({
      matched: true,
      outputs: [],
    });
  });

  it('fails the message when INCASE does not give a boolean', () => {
    const result = compileRule('FOREACH payload.sensors AS s INCASE s.name FROM "f/#"').evaluate(ctx);
    expect(result).toMatchObject({
      error: { message: 'INCASE: the condition must give true or false, got string' },
    });
  });

  it('refuses a FOREACH whose last field is *', () => {
    expect(() => compileRule('FOREACH * FROM "t"')).toThrow(/FOREACH needs an expression/);
  });
});
