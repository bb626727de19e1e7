import { testRule } from '../index';

// Cases and expected results taken from EMQX's own rule engine test suite (emqx_rule_engine_SUITE),
// run through the same rule-test entry point.
const sensors = (json: string) => ({ topic: 't/a', payload: json });

describe('EMQX rule engine suite cases', () => {
  it('t_sqlparse_foreach_1: FOREACH with and without AS, with no DO', () => {
    expect(testRule('foreach payload.sensors as s from "t/#"', sensors('{"sensors": [1, 2]}'))).toMatchObject(
      {
        matched: true,
        outputs: [{ s: 1 }, { s: 2 }],
      },
    );
    const result = testRule('foreach payload.sensors from "t/#"', {
      ...sensors('{"sensors": [{"cmd":"1"}]}'),
      clientid: 'c_a',
    });
    expect(result).toMatchObject({
      matched: true,
      outputs: [{ item: { cmd: '1' }, clientid: 'c_a', payload: { sensors: [{ cmd: '1' }] } }],
    });
  });

  it('t_sqlparse_foreach_2: FOREACH ... DO', () => {
    const ctx = sensors('{"sensors": [{"cmd":"1"}, {"cmd":"2"}]}');
    const expected = { matched: true, outputs: [{ msg_type: '1' }, { msg_type: '2' }] };
    expect(testRule('foreach payload.sensors as s do s.cmd as msg_type from "t/#"', ctx)).toEqual(expected);
    expect(testRule('foreach payload.sensors do item.cmd as msg_type from "t/#"', ctx)).toEqual(expected);
    expect(
      testRule('foreach payload.sensors do item as item from "t/#"', sensors('{"sensors": [1, 2]}')),
    ).toEqual({
      matched: true,
      outputs: [{ item: 1 }, { item: 2 }],
    });
  });

  it('t_sqlparse_foreach_3: FOREACH ... INCASE', () => {
    const ctx = sensors('{"sensors": [{"cmd":1}, {"cmd":2}, {"cmd":3}]}');
    expect(testRule('foreach payload.sensors as s incase s.cmd != 1 from "t/#"', ctx)).toMatchObject({
      outputs: [{ s: { cmd: 2 } }, { s: { cmd: 3 } }],
    });
  });

  it('t_sqlparse_foreach_4 and _5: DO with INCASE, and lists that give nothing', () => {
    const sql =
      'foreach payload.sensors as s do s.cmd as msg_type, s.name as name incase is_not_null(s.cmd) from "t/#"';
    const result = testRule(
      sql,
      sensors('{"sensors": [{"cmd":"1", "name":"n1"}, {"cmd":"2"}, {"name":"n3"}]}'),
    );
    expect(result).toEqual({ matched: true, outputs: [{ msg_type: '1', name: 'n1' }, { msg_type: '2' }] });
    expect(testRule(sql, sensors('{"sensors": [1, 2]}'))).toEqual({ matched: true, outputs: [] });
    expect(testRule(sql, sensors('{"sensors": 1}'))).toEqual({ matched: true, outputs: [] });
    expect(testRule(sql, sensors('{"sensors": []}'))).toEqual({ matched: true, outputs: [] });
  });

  it('t_sqlselect_as_put: an alias path writes into the selected payload', () => {
    const payload = JSON.stringify({
      f1: 'f1',
      data: [
        { name: 'n1', idx: 1 },
        { name: 'n2', idx: 2 },
      ],
    });
    expect(
      testRule('select payload, \'STEVE\' as payload.data[1].name from "t/#"', sensors(payload)),
    ).toEqual({
      matched: true,
      outputs: [
        {
          payload: {
            f1: 'f1',
            data: [
              { name: 'STEVE', idx: 1 },
              { name: 'n2', idx: 2 },
            ],
          },
        },
      ],
    });
  });

  it('t_sqlparse_undefined_variable: undefined compares equal to undefined, and false to anything else', () => {
    expect(testRule('select a, b from "t/#" where a = b', sensors(''))).toMatchObject({ matched: true });
    expect(testRule('select a, b from "t/#" where a > b', sensors('{"b":1}'))).toEqual({
      matched: false,
      outputs: [],
    });
    expect(testRule('select a < b as c from "t/#"', sensors('{"b":1}'))).toEqual({
      matched: true,
      outputs: [{ c: false }],
    });
  });

  it('t_sqlparse_array_range_1: ranges and a range on non-list data', () => {
    expect(testRule('select payload.a[1..4] as c from "t/#"', sensors('{"a":[0,1,2,3,4,5]}'))).toEqual({
      matched: true,
      outputs: [{ c: [0, 1, 2, 3] }],
    });
    expect(testRule('select payload.a[1..4] as c from "t/#"', sensors('{"x":[0,1]}'))).toMatchObject({
      error: { kind: 'runtime' },
    });
    expect(testRule('select [1..4] as c, 5 as c[-0], 6 as c[-0], 0 as c[0] from "t/#"', sensors(''))).toEqual(
      {
        matched: true,
        outputs: [{ c: [0, 1, 2, 3, 4, 5, 6] }],
      },
    );
  });

  it('t_sqlparse_invalid_json: reading into a payload that is not JSON fails, in SELECT and FOREACH', () => {
    expect(testRule('select payload.a[1..4] as c from "t/#"', sensors('{"x":[0,1,2,3,}'))).toMatchObject({
      error: { kind: 'runtime' },
    });
    expect(
      testRule(
        'foreach payload.sensors do item.cmd as msg_type from "t/#"',
        sensors('{"sensors": [{"cmd":"1"} {"cmd":}]}'),
      ),
    ).toMatchObject({
      error: { kind: 'runtime' },
    });
  });

  it('t_sqlparse_foreach_7 and _8: cascaded AS, WHERE on a FOREACH field, DO reading FOREACH fields', () => {
    const head = 'foreach json_decode(payload) as p, p.sensors as s, s.collection as c, c.info as info';
    const payload = JSON.stringify({
      sensors: { page: 2, collection: { info: [{ name: 'cmd1', cmd: '1' }, { cmd: '2' }] } },
    });
    const sql = (page: string) =>
      `${head} do info.cmd as msg_type, info.name as name incase is_not_null(info.cmd) from "t/#" where s.page = '${page}'`;
    expect(testRule(sql('2'), sensors(payload))).toEqual({
      matched: true,
      outputs: [{ msg_type: '1', name: 'cmd1' }, { msg_type: '2' }],
    });
    expect(testRule(sql('3'), sensors(payload))).toEqual({ matched: false, outputs: [] });

    const withHaha = JSON.stringify({
      sensors: { page: 2, collection: { info: ['haha', { name: 'cmd1', cmd: '1' }] } },
    });
    const collection = { info: ['haha', { name: 'cmd1', cmd: '1' }] };
    const sql8 = `${head} do info.cmd as msg_type, info.name as name, s, c incase is_map(info) from "t/#" where s.page = '2'`;
    expect(testRule(sql8, sensors(withHaha))).toEqual({
      matched: true,
      outputs: [{ msg_type: '1', name: 'cmd1', s: { page: 2, collection }, c: collection }],
    });
  });

  it('t_sqlparse_foreach_9: FOREACH iterates the payload decoded with json_decode, and the raw payload too', () => {
    const ctx = sensors(JSON.stringify([{ ts: 1451649600512, values: { heartrate: 130 } }]));
    expect(testRule('foreach json_decode(payload) as p do p.ts as ts from "t/#"', ctx)).toEqual({
      matched: true,
      outputs: [{ ts: 1451649600512 }],
    });
    expect(testRule('foreach payload as p do p.ts as ts from "t/#"', ctx)).toEqual({
      matched: true,
      outputs: [{ ts: 1451649600512 }],
    });
  });

  it('t_sqlselect_002: div and mod work as infix operators and as functions', () => {
    const sql = 'select 2 mod 2 as mod1, mod(3, 2) as mod2, 4 div 2 as div1, div(7, 2) as div2 from "t/#"';
    expect(testRule(sql, sensors('{}'))).toEqual({
      matched: true,
      outputs: [{ mod1: 0, mod2: 1, div1: 2, div2: 3 }],
    });
  });

  it('t_sqlselect_0: cascaded aliases in fields and WHERE', () => {
    const ctx = sensors('{"cmd": {"info":"tt"}}');
    expect(testRule('select * from "t/#" where payload.cmd.info = \'tt\'', ctx)).toMatchObject({
      outputs: [{ payload: '{"cmd": {"info":"tt"}}' }],
    });
    const sql =
      "select payload.cmd as cmd, cmd.info as meta.info from \"t/#\" where cmd.info = 'tt' and meta.info = 'tt'";
    expect(testRule(sql, ctx)).toEqual({
      matched: true,
      outputs: [{ cmd: { info: 'tt' }, meta: { info: 'tt' } }],
    });
  });

  it('t_sqlselect_00: unary plus and minus', () => {
    expect(testRule('select 1-1 as a, -1 + 1 as b, +1 as c from "t/#"', sensors(''))).toEqual({
      matched: true,
      outputs: [{ a: 0, b: 0, c: 1 }],
    });
  });

  it('refuses module-qualified functions at compile time', () => {
    expect(
      testRule('select * from "t/#" where emqx_rule_funcs_demo.is_my_topic(topic)', sensors('')),
    ).toEqual({
      error: {
        kind: 'compile',
        message:
          "unknown function 'emqx_rule_funcs_demo.is_my_topic' (Sluice has no plugin function modules) at line 1, column 27",
        line: 1,
        column: 27,
      },
    });
  });
});
