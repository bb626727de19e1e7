import { InProcessConfigStore } from '@sluice/config-store';
import { PERSISTENCE_DATA_SOURCE } from '@sluice/persistence';
import type { DataSource } from 'typeorm';
import {
  createConnector,
  createRule,
  httpConnector,
  ok,
  failure,
  RULE_FIELDS,
  storedDefinition,
  tenantWithKey,
  type RuleResult,
} from './graphql-fixture';
import { startGraphqlApp, type DatabaseKind } from './graphql-test-app';

const SQL = 'SELECT payload.temp AS t FROM "sensors/#" WHERE payload.temp > 30';
// a tenant's own broker: its credentials go there (without url, the shared broker's are Sluice's)
const PLANT = 'mqtt://plant-broker.example:1883';

describe.each<DatabaseKind>(['sqlite', 'postgres'])('GraphQL configuration API on %s', (database) => {
  let t: Awaited<ReturnType<typeof startGraphqlApp>>;

  beforeAll(async () => {
    t = await startGraphqlApp(database);
  });
  afterAll(async () => {
    await t?.close();
    await t?.dispose();
  });

  it('publishes the tenant definition with secrets, only enabled items, and deletes it with the tenant', async () => {
    const a = await tenantWithKey(t, `prop-${database}`);
    const connector = ok(
      await createConnector(t, a.key, {
        name: 'hook',
        kind: 'http',
        config: { url: 'http://user:s3cret@127.0.0.1:9/ingest', headers: { authorization: 'Bearer tok' } },
      }),
    ).createConnector;
    expect(connector.config).toEqual({ url: 'http://user@127.0.0.1:9/ingest' });
    expect(connector.secretsSet).toEqual(['headers', 'url.password']);
    expect(connector.version).toBe(1);

    const source = ok(
      await t.gql<{ createSource: { id: string; config: unknown; secretsSet: string[] } }>(
        a.key,
        'mutation($i: CreateSourceInput!) { createSource(input: $i) { id config secretsSet } }',
        {
          i: {
            name: 'plant',
            config: { url: PLANT, topics: [{ filter: 'sensors/#' }], username: 'dev', password: 'pw' },
          },
        },
      ),
    ).createSource;
    expect(source.config).toEqual({ url: PLANT, topics: [{ filter: 'sensors/#' }], username: 'dev' });
    expect(source.secretsSet).toEqual(['password']);

    const rule = ok(
      await createRule(t, a.key, {
        name: 'hot',
        sql: SQL,
        actions: [{ connectorId: connector.id, config: { path: '/x', body: '${t}' } }],
      }),
    ).createRule;
    ok(await createRule(t, a.key, { name: 'off', sql: 'SELECT * FROM "x/#"', enabled: false }));

    const expected = {
      id: a.id,
      // the tenant's namespace on the shared broker (SLUICE_TENANT_MOUNTPOINT, by default its id)
      mountpoint: `${a.id}/`,
      sources: [
        {
          id: source.id,
          kind: 'mqtt',
          url: PLANT,
          topics: [{ filter: 'sensors/#', qos: 1 }],
          username: 'dev',
          password: 'pw',
          configuredBy: 'tenant',
        },
      ],
      connectors: [
        {
          id: connector.id,
          kind: 'http',
          config: { url: 'http://user:s3cret@127.0.0.1:9/ingest', headers: { authorization: 'Bearer tok' } },
          configuredBy: 'tenant',
        },
      ],
      rules: [
        {
          id: rule.id,
          sql: SQL,
          enabled: true,
          actions: [
            { id: rule.actions[0]!.id, connector: connector.id, config: { path: '/x', body: '${t}' } },
          ],
        },
      ],
    };
    expect(await storedDefinition(t, a.id)).toEqual(expected);

    // secrets are sealed at rest: no plaintext anywhere in the rows
    const ds = t.app.get<DataSource>(PERSISTENCE_DATA_SOURCE);
    const rows = JSON.stringify([
      await ds.query('SELECT * FROM connectors'),
      await ds.query('SELECT * FROM sources'),
    ]);
    expect(rows).not.toContain('s3cret');
    expect(rows).not.toContain('Bearer tok');
    expect(rows).not.toContain('"pw"');

    // disabling the connector drops it and the actions that use it
    ok(
      await t.gql(
        a.key,
        'mutation($id: ID!, $v: Int!) { disableConnector(id: $id, version: $v) { version } }',
        {
          id: connector.id,
          v: 1,
        },
      ),
    );
    expect(await storedDefinition(t, a.id)).toEqual({
      ...expected,
      connectors: [],
      rules: [{ ...expected.rules[0], actions: [] }],
    });

    ok(await t.gql(t.adminKey, 'mutation($id: ID!) { deleteTenant(id: $id) }', { id: a.id }));
    expect(await t.store.get(a.id)).toBeNull();
  });

  it('keeps the running version when an update does not compile', async () => {
    const a = await tenantWithKey(t, `keep-${database}`);
    const rule = ok(await createRule(t, a.key, { name: 'r', sql: SQL })).createRule;
    const before = await storedDefinition(t, a.id);
    const bad = failure(
      await t.gql(a.key, 'mutation($i: UpdateRuleInput!) { updateRule(input: $i) { id } }', {
        i: { id: rule.id, version: rule.version, sql: 'SELECT * FROM "a/#" WHERE' },
      }),
    );
    expect(bad.code).toBe('RULE_SYNTAX');
    expect(await storedDefinition(t, a.id)).toEqual(before);
    const after = ok(
      await t.gql<{ rule: RuleResult }>(a.key, `query($id: ID!) { rule(id: $id) { ${RULE_FIELDS} } }`, {
        id: rule.id,
      }),
    ).rule;
    expect(after).toMatchObject({ sql: SQL, version: 1 });

    const edited = ok(
      await t.gql<{ updateRule: RuleResult }>(
        a.key,
        `mutation($i: UpdateRuleInput!) { updateRule(input: $i) { ${RULE_FIELDS} } }`,
        {
          i: { id: rule.id, version: 1, sql: 'SELECT 1 AS one FROM "b/#"', description: 'edited' },
        },
      ),
    ).updateRule;
    expect(edited).toMatchObject({ version: 2, description: 'edited', sql: 'SELECT 1 AS one FROM "b/#"' });
    expect((await storedDefinition(t, a.id))?.rules).toEqual([
      { id: rule.id, sql: 'SELECT 1 AS one FROM "b/#"', enabled: true, actions: [] },
    ]);
  });

  it('re-publishes every tenant at start and removes entries of tenants that are gone', async () => {
    const a = await tenantWithKey(t, `restart-${database}`);
    ok(await createConnector(t, a.key, httpConnector('c1')));
    const published = await storedDefinition(t, a.id);
    expect(published?.connectors).toHaveLength(1);

    const store = new InProcessConfigStore();
    await store.put('no-such-tenant', Buffer.from('{}'));
    const restarted = await startGraphqlApp(database, { store, reuse: t.reuse });
    try {
      expect(await storedDefinition(restarted, a.id)).toEqual(published);
      expect(await store.get('no-such-tenant')).toBeNull();
    } finally {
      await restarted.close();
    }
  });

  it('retries a store write that fails for a moment, and a failing store does not fail the change', async () => {
    class FlakyStore extends InProcessConfigStore {
      failures = 0;
      override put(key: string, value: Uint8Array): Promise<number> {
        if (this.failures > 0) {
          this.failures--;
          return Promise.reject(new Error('store unavailable'));
        }
        return super.put(key, value);
      }
    }
    const store = new FlakyStore();
    const flaky = await startGraphqlApp(database, { store, reuse: t.reuse });
    try {
      const a = await tenantWithKey(flaky, `flaky-${database}`);
      store.failures = 2;
      const c = ok(await createConnector(flaky, a.key, httpConnector('c1'))).createConnector;
      expect(store.failures).toBe(0);
      expect((await storedDefinition(flaky, a.id))?.connectors.map((x) => x.id)).toEqual([c.id]);

      store.failures = 100; // more than the retries
      const d = ok(await createConnector(flaky, a.key, httpConnector('c2'))).createConnector;
      expect((await storedDefinition(flaky, a.id))?.connectors.map((x) => x.id)).toEqual([c.id]);
      store.failures = 0;
      // the next change publishes the whole tenant, the missed change included
      ok(await createRule(flaky, a.key, { name: 'r', sql: SQL }));
      expect((await storedDefinition(flaky, a.id))?.connectors.map((x) => x.id)).toEqual([c.id, d.id]);
    } finally {
      await flaky.close();
    }
  });
});
