import { testRule } from './index';

describe('testRule', () => {
  it('runs an EMQX rule-test context as it is pasted', () => {
    // the shape of EMQX's POST /rule_test "context" for a message publish
    const context = {
      clientid: 'c_emqx',
      event_type: 'message_publish',
      payload: '{"msg": "hello"}',
      qos: 1,
      topic: 't/a',
      username: 'u_emqx',
    };
    expect(testRule('SELECT payload.msg AS m, clientid FROM "t/#"', context)).toEqual({
      matched: true,
      outputs: [{ m: 'hello', clientid: 'c_emqx' }],
    });
  });

  it('does not pass event_type on as a column', () => {
    const result = testRule('SELECT * FROM "t/#"', { topic: 't/a', event_type: 'message_publish' });
    expect(result).toEqual({ matched: true, outputs: [{ topic: 't/a', event: 'message.publish' }] });
  });

  it('reports no match for a false WHERE and for a topic outside FROM', () => {
    expect(testRule('SELECT * FROM "t/#" WHERE qos = 2', { topic: 't/a', qos: 1 })).toEqual({
      matched: false,
      outputs: [],
    });
    expect(testRule('SELECT * FROM "t/#"', { topic: 'x/a' })).toEqual({ matched: false, outputs: [] });
  });

  it('returns one output per FOREACH item', () => {
    const result = testRule('FOREACH payload.l DO item AS v FROM "t"', {
      topic: 't',
      payload: '{"l":[1,2]}',
    });
    expect(result).toEqual({ matched: true, outputs: [{ v: 1 }, { v: 2 }] });
  });

  it('reports syntax, compile and runtime errors with their kind', () => {
    expect(testRule('SELECT * FORM "t"', {})).toEqual({
      error: {
        kind: 'syntax',
        message: "unexpected 'FORM', expected FROM at line 1, column 10",
        line: 1,
        column: 10,
      },
    });
    expect(testRule('SELECT nope() FROM "t"', {})).toEqual({
      error: { kind: 'compile', message: "unknown function 'nope' at line 1, column 8", line: 1, column: 8 },
    });
    expect(testRule('SELECT 1 div 0 AS x FROM "t"', { topic: 't' })).toEqual({
      error: { kind: 'runtime', message: 'SELECT: division by zero', clause: 'SELECT' },
    });
  });
});
