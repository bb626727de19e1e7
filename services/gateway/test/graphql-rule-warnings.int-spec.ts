import { ok, tenantWithKey } from './graphql-fixture';
import { startGraphqlApp } from './graphql-test-app';

interface Warning {
  code: string;
  message: string;
}

// No silent rules (issue 19): a rule that compiles but can never fire, or reads a column no source
// fills, is saved and tested with warnings naming why.
describe('rule warnings against the tenant sources', () => {
  let t: Awaited<ReturnType<typeof startGraphqlApp>>;
  let tenant: { id: string; key: string };

  const createSource = (config: Record<string, unknown>) =>
    t.gql(tenant.key, 'mutation($i: CreateSourceInput!) { createSource(input: $i) { id } }', {
      i: { name: `s${Math.random().toString(36).slice(2, 8)}`, config },
    });
  const testRule = async (key: string, sql: string, tenantId?: string) =>
    ok(
      await t.gql<{ testRule: { matched: boolean; warnings: Warning[] } }>(
        key,
        'query($sql: String!, $c: JSONObject!, $t: ID) { testRule(sql: $sql, context: $c, tenantId: $t) { matched warnings { code message } } }',
        { sql, c: { topic: 'devices/d1/telemetry', payload: '{}' }, t: tenantId },
      ),
    );

  beforeAll(async () => {
    t = await startGraphqlApp('sqlite');
    tenant = await tenantWithKey(t, 'warnings', 'pro');
  });
  afterAll(async () => {
    await t?.close();
    await t?.dispose();
  });

  it('warns on create, on read and in testRule while no source feeds the FROM, and stops once one does', async () => {
    const sql = 'SELECT payload.t AS t FROM "devices/+/telemetry"';
    const { createRule } = ok(
      await t.gql<{ createRule: { id: string; warnings: Warning[] } }>(
        tenant.key,
        'mutation($i: CreateRuleInput!) { createRule(input: $i) { id warnings { code message } } }',
        { i: { name: 'telemetry', sql } },
      ),
    );
    expect(createRule.warnings).toEqual([
      {
        code: 'RULE_FROM_UNSUBSCRIBED',
        message:
          'FROM "devices/+/telemetry": no source of the tenant subscribes to a topic it matches, so the rule never fires on it (the tenant has no enabled source)',
      },
    ]);

    ok(await createSource({ topics: [{ filter: 'sensors/#' }] }));
    const read = async () =>
      ok(
        await t.gql<{ rule: { warnings: Warning[] } }>(
          tenant.key,
          'query($id: ID!) { rule(id: $id) { warnings { code message } } }',
          { id: createRule.id },
        ),
      ).rule.warnings;
    expect(await read()).toEqual([
      expect.objectContaining({
        code: 'RULE_FROM_UNSUBSCRIBED',
        message: expect.stringContaining('(the sources subscribe to "sensors/#")'),
      }),
    ]);
    expect((await testRule(tenant.key, sql)).testRule).toEqual({
      matched: true,
      warnings: [expect.objectContaining({ code: 'RULE_FROM_UNSUBSCRIBED' })],
    });

    ok(await createSource({ topics: [{ filter: 'devices/#' }] }));
    expect(await read()).toEqual([]);
    expect((await testRule(tenant.key, sql)).testRule.warnings).toEqual([]);
  });

  it('warns about clientid, username and peerhost that no feeding source provides', async () => {
    const sql = 'SELECT clientid, username, peerhost FROM "devices/#"';
    expect((await testRule(tenant.key, sql)).testRule.warnings.map((w) => w.message)).toEqual([
      expect.stringMatching(/^clientid: a subscriber is not told the publisher's clientid/),
      expect.stringMatching(/^username: /),
      expect.stringMatching(/^peerhost: a subscriber is never told the address of the publisher/),
    ]);
    ok(
      await createSource({
        topics: [{ filter: 'devices/+/telemetry' }],
        topicPattern: 'devices/{clientid}/telemetry',
        userPropertyFields: { username: 'owner' },
      }),
    );
    expect((await testRule(tenant.key, sql)).testRule.warnings.map((w) => w.message)).toEqual([
      expect.stringMatching(/^peerhost: /),
    ]);
  });

  it("gives the operator a tenant's warnings when it names the tenant, and none otherwise", async () => {
    const sql = 'SELECT payload FROM "nowhere/#"';
    expect((await testRule(t.adminKey, sql, tenant.id)).testRule.warnings).toEqual([
      expect.objectContaining({ code: 'RULE_FROM_UNSUBSCRIBED' }),
    ]);
    expect((await testRule(t.adminKey, sql)).testRule.warnings).toEqual([]);
  });
});
