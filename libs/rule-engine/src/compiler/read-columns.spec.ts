import { compileRule } from '@sluice/rule-engine';

const columns = (sql: string) => [...compileRule(sql).columns].sort();

describe('the columns a rule reads', () => {
  it.each([
    ['SELECT payload.t AS t, clientid FROM "a/#"', ['clientid', 'payload']],
    ['SELECT upper(username) AS u FROM "a/#" WHERE peerhost = \'10.0.0.1\'', ['peerhost', 'username']],
    // the message functions count as their columns; clientip() is peerhost
    [
      'SELECT clientid() AS c, clientip() AS ip, emqx_rule_funcs.username() AS u FROM "a/#"',
      ['clientid', 'peerhost', 'username'],
    ],
    // a field reads the message; WHERE reads the alias
    ['SELECT clientid AS clientid FROM "a/#" WHERE clientid = \'x\'', ['clientid']],
    ['SELECT payload.c AS clientid FROM "a/#" WHERE clientid = \'x\'', ['payload']],
    ['SELECT * FROM "a/#"', []],
    // the FOREACH item and the fields before the list are the rule's own
    [
      'FOREACH payload.list AS x DO x.v AS v, username INCASE x.v > 0 FROM "a/#" WHERE is_not_null(x)',
      ['payload', 'username'],
    ],
    ['FOREACH payload.list DO item.v AS v FROM "a/#"', ['payload']],
    [
      'SELECT payload.a[payload.i] AS a, CASE WHEN qos > 0 THEN topic(2) END AS t FROM "a/#"',
      ['payload', 'qos', 'topic'],
    ],
  ])('%s', (sql, expected) => {
    expect(columns(sql)).toEqual(expected);
  });
});
