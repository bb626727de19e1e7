import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipelineRuleWarnings, ruleWarnings, type SourceDefinition } from '@sluice/pipeline';
import { compileRule } from '@sluice/rule-engine';

const mqtt = (filter: string, options: Record<string, unknown> = {}): SourceDefinition => ({
  id: `s-${filter}`,
  kind: 'mqtt',
  topics: [{ filter, qos: 1 }],
  ...options,
});
const codes = (sql: string, sources: SourceDefinition[]) =>
  ruleWarnings(compileRule(sql), sources).map((w) => w.code);

describe('rule warnings', () => {
  it.each([
    ['sensors/+/temp', 'sensors/#'],
    ['sensors/#', 'sensors/a/temp'],
    ['sensors/#', 'sensors'],
    ['+/a', 'b/+'],
    ['#', '#'],
  ])('FROM "%s" is fed by a source on "%s"', (from, filter) => {
    expect(codes(`SELECT payload FROM "${from}"`, [mqtt(filter)])).toEqual([]);
  });

  it.each([
    ['sensors/+', 'sensors/a/b'],
    ['alerts/#', 'sensors/#'],
    ['sensors/+', 'sensors'],
    ['$SYS/#', '#'],
    ['#', '$SYS/+'],
  ])('FROM "%s" is fed by no source on "%s"', (from, filter) => {
    const [warning] = ruleWarnings(compileRule(`SELECT payload FROM "${from}"`), [mqtt(filter)]);
    expect(warning).toEqual({
      code: 'RULE_FROM_UNSUBSCRIBED',
      message: expect.stringContaining(`FROM "${from}": no source of the tenant subscribes`),
    });
    expect(warning!.message).toContain(`"${filter}"`);
  });

  it('warns for each FROM filter that no source feeds, and says when the tenant has no source', () => {
    const warnings = ruleWarnings(compileRule('SELECT payload FROM "a/#", "b/#"'), []);
    expect(warnings.map((w) => w.message)).toEqual([
      expect.stringMatching(/^FROM "a\/#".*the tenant has no enabled source\)$/),
      expect.stringMatching(/^FROM "b\/#".*the tenant has no enabled source\)$/),
    ]);
  });

  it('warns about publisher-identity columns no feeding MQTT source maps', () => {
    const sql = 'SELECT clientid, username() AS u, clientip() AS ip FROM "d/#"';
    expect(ruleWarnings(compileRule(sql), [mqtt('d/#')])).toEqual([
      {
        code: 'RULE_COLUMN_NOT_PROVIDED',
        message: expect.stringMatching(/^clientid: .*topicPattern \{clientid\}/),
      },
      { code: 'RULE_COLUMN_NOT_PROVIDED', message: expect.stringMatching(/^username: /) },
      { code: 'RULE_COLUMN_NOT_PROVIDED', message: expect.stringMatching(/^peerhost: /) },
    ]);
  });

  it('takes clientid and username from a topic pattern or user properties of a feeding source', () => {
    const sql = 'SELECT clientid, username FROM "d/#"';
    expect(codes(sql, [mqtt('d/#', { topicPattern: 'd/{clientid}/{username}/#' })])).toEqual([]);
    expect(codes(sql, [mqtt('d/#', { userPropertyFields: { clientid: 'dev', username: 'who' } })])).toEqual(
      [],
    );
    // a source on other topics does not feed the rule: its mapping does not count
    expect(
      codes(sql, [mqtt('d/#'), mqtt('other/#', { topicPattern: 'other/{clientid}/{username}' })]),
    ).toEqual(['RULE_COLUMN_NOT_PROVIDED', 'RULE_COLUMN_NOT_PROVIDED']);
  });

  it('counts the record key of a Kafka source as clientid by default, and leaves its topics alone', () => {
    const kafka: SourceDefinition = { id: 'k', kind: 'kafka', topics: [{ filter: 'orders', qos: 1 }] };
    expect(codes('SELECT clientid FROM "kafka/orders"', [kafka])).toEqual([]);
    expect(codes('SELECT username FROM "kafka/orders"', [kafka])).toEqual(['RULE_COLUMN_NOT_PROVIDED']);
  });

  it('says that nothing feeds an event no source produces', () => {
    const [warning, ...rest] = ruleWarnings(compileRule('SELECT clientid FROM "$events/client/connected"'), [
      mqtt('d/#'),
    ]);
    expect(rest).toEqual([]);
    expect(warning).toEqual({
      code: 'RULE_EVENT_NOT_FED',
      message: expect.stringContaining(
        'nothing feeds client.connected: no source of the tenant produces this event',
      ) as unknown,
    });
    expect(warning?.message).toContain("clientEvents: 'emqx' produces client.connected");
    const other = ruleWarnings(compileRule('SELECT * FROM "$events/message/delivered"'), [mqtt('d/#')]);
    expect(other[0]?.message).toContain('sees only the events a broker publishes');
  });

  it("counts client.connected and client.disconnected as fed by an MQTT source with clientEvents: 'emqx'", () => {
    const sources = [mqtt('d/#', { clientEvents: 'emqx' })];
    expect(
      codes('SELECT clientid FROM "$events/client/connected", "$events/client_disconnected"', sources),
    ).toEqual([]);
    const mixed = ruleWarnings(compileRule('SELECT * FROM "$events/client/+"'), sources);
    expect(mixed.map((w) => w.code)).toEqual(['RULE_EVENT_NOT_FED']);
    expect(mixed[0]?.message).not.toContain('client.connected,');
    expect(mixed[0]?.message).toContain('client.connack');
    // a topic filter beside the events is still checked against the sources
    expect(codes('SELECT * FROM "$events/client/connected", "x/#"', sources)).toEqual([
      'RULE_FROM_UNSUBSCRIBED',
    ]);
  });
});

describe('rule warnings against a pipeline file (sluice rule test --pipeline)', () => {
  const file = (tenants: unknown[]) => {
    const path = join(mkdtempSync(join(tmpdir(), 'sluice-warnings-')), 'pipeline.json');
    writeFileSync(path, JSON.stringify({ tenants }));
    return path;
  };
  const tenant = (id: string, filter: string) => ({ id, sources: [{ id: 's', topics: [{ filter }] }] });

  it("checks against the only tenant's sources, or the one named", () => {
    const one = file([tenant('a', 'sensors/#')]);
    expect(pipelineRuleWarnings(one, undefined)('SELECT payload FROM "sensors/x"')).toEqual([]);
    expect(pipelineRuleWarnings(one, undefined)('SELECT payload FROM "alerts/x"')).toEqual([
      expect.objectContaining({ code: 'RULE_FROM_UNSUBSCRIBED' }),
    ]);
    const two = file([tenant('a', 'sensors/#'), tenant('b', 'alerts/#')]);
    expect(pipelineRuleWarnings(two, 'b')('SELECT payload FROM "alerts/x"')).toEqual([]);
    // SQL that does not compile has its error, and no warnings
    expect(pipelineRuleWarnings(two, 'b')('SELECT FROM')).toEqual([]);
  });

  it('refuses a file with several tenants and none named, or an unknown tenant, naming those it has', () => {
    const two = file([tenant('a', 'x'), tenant('b', 'y')]);
    expect(() => pipelineRuleWarnings(two, undefined)).toThrow(
      /has 2 tenants \(a, b\): name one with --tenant/,
    );
    expect(() => pipelineRuleWarnings(two, 'c')).toThrow(/has no tenant 'c' \(it has: a, b\)/);
  });
});
