import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSubjects } from '@sluice/bus';
import { eventually, testNamespace, testServers } from '../../../test/support';
import { failure, ok, tenantWithKey } from './graphql-fixture';
import { startGraphqlApp, type DatabaseKind } from './graphql-test-app';

const plans = JSON.stringify({
  free: {
    maxConnectors: 2,
    maxRules: 4,
    maxActionsPerRule: 1,
    freeActionsPerMonth: 1_000_000,
    pricePerMillionUsd: 0.25,
  },
  metered: {
    maxConnectors: 2,
    maxRules: 4,
    maxActionsPerRule: 1,
    freeActionsPerMonth: 100,
    pricePerMillionUsd: 2,
  },
});
const USAGE =
  'query($m: String) { usage(month: $m) { month plan ruleActions freeQuota billableActions pricePerMillion charge } }';

interface Usage {
  usage: { month: string; ruleActions: number; freeQuota: number; billableActions: number; charge: number };
}

describe.each<DatabaseKind>(['sqlite', 'postgres'])('usage metering on %s', (database) => {
  const ns = testNamespace();
  let t: Awaited<ReturnType<typeof startGraphqlApp>>;
  const report = (subjectTenant: string, body: unknown) =>
    t.bus.notify(createSubjects(ns.streamPrefix).usage(subjectTenant), Buffer.from(JSON.stringify(body)));

  beforeAll(async () => {
    t = await startGraphqlApp(database, { plans, busNamespace: ns.streamPrefix });
  });
  afterAll(async () => {
    await t?.close();
    await t?.dispose();
  });

  it('adds usage reports to the month and prices what is beyond the free quota', async () => {
    const a = await tenantWithKey(t, 'usage-a');
    const b = await tenantWithKey(t, 'usage-b');
    await report(a.id, { tenant: a.id, month: '2026-01', ruleActions: 1_000_000 });
    await report(a.id, { tenant: a.id, month: '2026-01', ruleActions: 1_500_000 });
    await report(a.id, { tenant: a.id, month: '2026-02', ruleActions: 7 });
    await report(b.id, { tenant: b.id, month: '2026-01', ruleActions: 5 });
    // dropped: not JSON, wrong shape, and a report for a on b's subject
    await t.bus.notify(createSubjects(ns.streamPrefix).usage(a.id), Buffer.from('not json'));
    await report(a.id, { tenant: a.id, month: '2026-1', ruleActions: 3 });
    await report(b.id, { tenant: a.id, month: '2026-01', ruleActions: 11 });

    await eventually(
      async () => {
        const usage = ok(await t.gql<Usage>(a.key, USAGE, { m: '2026-01' })).usage;
        // 2.5 M actions, 1 M free: 1.5 M billable at $0.25 per million = $0.375
        expect(usage).toEqual({
          month: '2026-01',
          plan: 'free',
          ruleActions: 2_500_000,
          freeQuota: 1_000_000,
          billableActions: 1_500_000,
          pricePerMillion: 0.25,
          charge: 0.375,
        });
      },
      { timeoutMs: 5_000 },
    );
    await eventually(async () => {
      expect(ok(await t.gql<Usage>(b.key, USAGE, { m: '2026-01' })).usage.ruleActions).toBe(5);
    });
    // why eventually: reports on different subjects are applied in no guaranteed order
    await eventually(async () => {
      expect(ok(await t.gql<Usage>(a.key, USAGE, { m: '2026-02' })).usage).toMatchObject({
        ruleActions: 7,
        billableActions: 0,
        charge: 0,
      });
    });
    expect(ok(await t.gql<Usage>(a.key, USAGE, { m: '2025-12' })).usage.ruleActions).toBe(0);
    const byTenant = 'query($m: String) { usageByTenant(month: $m) { tenantId ruleActions charge } }';
    expect(ok(await t.gql(t.adminKey, byTenant, { m: '2026-01' }))).toEqual({
      usageByTenant: [
        { tenantId: a.id, ruleActions: 2_500_000, charge: 0.375 },
        { tenantId: b.id, ruleActions: 5, charge: 0 },
      ],
    });
    expect(failure(await t.gql(a.key, byTenant, { m: '2026-01' })).code).toBe('FORBIDDEN');
    expect(failure(await t.gql(a.key, USAGE, { m: '2026-13' })).extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'month',
    });
  });

  it("uses the tenant plan's quota and price", async () => {
    const m = await tenantWithKey(t, 'usage-metered', 'metered');
    await report(m.id, { tenant: m.id, month: '2026-03', ruleActions: 350 });
    await eventually(async () => {
      // 350 - 100 free = 250 billable at $2 per million = $0.0005
      expect(ok(await t.gql<Usage>(m.key, USAGE, { m: '2026-03' })).usage).toMatchObject({
        ruleActions: 350,
        freeQuota: 100,
        billableActions: 250,
        charge: 0.0005,
      });
    });
  });

  it('tests rules and connectors without saving anything', async () => {
    const a = await tenantWithKey(t, 'testing');
    const testRule =
      'query($sql: String!, $c: JSONObject!) { testRule(sql: $sql, context: $c) { matched outputs error { kind message } } }';
    const sql = 'SELECT payload.temp AS t, topic FROM "sensors/#" WHERE payload.temp > 30';
    expect(
      ok(await t.gql(a.key, testRule, { sql, c: { topic: 'sensors/d1', payload: '{"temp":31.5}' } })),
    ).toEqual({ testRule: { matched: true, outputs: [{ t: 31.5, topic: 'sensors/d1' }], error: null } });
    expect(
      ok(await t.gql(a.key, testRule, { sql, c: { topic: 'sensors/d1', payload: '{"temp":20}' } })),
    ).toEqual({
      testRule: { matched: false, outputs: [], error: null },
    });
    expect(
      ok(await t.gql(a.key, testRule, { sql, c: { topic: 'other/d1', payload: '{"temp":99}' } })),
    ).toEqual({
      testRule: { matched: false, outputs: [], error: null },
    });

    const testConnector =
      'query($k: String!, $c: JSONObject!) { testConnector(kind: $k, config: $c) { state reason } }';
    const up = ok(
      await t.gql<{ testConnector: { state: string } }>(a.key, testConnector, {
        k: 'postgres',
        c: { url: testServers.postgresUrl },
      }),
    );
    expect(up.testConnector.state).toBe('connected');
    const down = ok(
      await t.gql<{ testConnector: { state: string; reason: string | null } }>(a.key, testConnector, {
        k: 'postgres',
        c: { url: 'postgres://sluice:sluice@127.0.0.1:1/none', connectTimeoutMs: 2_000 },
      }),
    ).testConnector;
    expect(down.state).toBe('disconnected');
    expect(down.reason).toBeTruthy();
    expect(
      failure(await t.gql(a.key, testConnector, { k: 'postgres', c: { url: 'http://x' } })).extensions,
    ).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'config.url',
    });
    expect(
      ok(await t.gql<{ connectors: { nodes: unknown[] } }>(a.key, '{ connectors { nodes { id } } }'))
        .connectors.nodes,
    ).toEqual([]);
  });
});

// A pipeline file's tenants run from the file, but their usage is counted like any other's: the
// gateway keeps a row for each (usage rows reference it).
describe.each<DatabaseKind>(['sqlite', 'postgres'])('pipeline-file tenants on %s', (database) => {
  const ns = testNamespace();
  const fileTenant = `file-${ns.id}`;
  let pipelineFile: string;
  let t: Awaited<ReturnType<typeof startGraphqlApp>>;
  const start = (reuse?: { dataDir: string; schema?: string }) =>
    startGraphqlApp(database, {
      busNamespace: ns.streamPrefix,
      pipelineFile,
      defaultPlan: 'unlimited',
      ...(reuse && { reuse }),
    });
  const byTenant = 'query($m: String) { usageByTenant(month: $m) { tenantId plan ruleActions charge } }';

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-file-tenants-'));
    pipelineFile = join(dir, 'pipeline.json');
    writeFileSync(pipelineFile, JSON.stringify({ tenants: [{ id: fileTenant }] }));
    t = await start();
  });
  afterAll(async () => {
    await t?.close();
    await t?.dispose();
  });

  it('counts the usage a pipeline-file tenant reports, also after a restart', async () => {
    await t.bus.notify(
      createSubjects(ns.streamPrefix).usage(fileTenant),
      Buffer.from(JSON.stringify({ tenant: fileTenant, month: '2026-04', ruleActions: 42 })),
    );
    await eventually(async () => {
      expect(ok(await t.gql(t.adminKey, byTenant, { m: '2026-04' }))).toEqual({
        usageByTenant: [{ tenantId: fileTenant, plan: 'unlimited', ruleActions: 42, charge: 0 }],
      });
    });
    // the file, not the store, defines its pipeline: no entry that the services would ignore
    expect(await t.store.keys()).not.toContain(fileTenant);

    await t.close();
    t = await start(t.reuse);
    await t.bus.notify(
      createSubjects(ns.streamPrefix).usage(fileTenant),
      Buffer.from(JSON.stringify({ tenant: fileTenant, month: '2026-04', ruleActions: 8 })),
    );
    await eventually(async () => {
      expect(ok(await t.gql(t.adminKey, byTenant, { m: '2026-04' }))).toMatchObject({
        usageByTenant: [{ tenantId: fileTenant, ruleActions: 50 }],
      });
    });
  });

  it("gives a tenant created without a plan SLUICE_DEFAULT_PLAN's", async () => {
    const { createTenant } = ok(
      await t.gql<{ createTenant: { plan: string } }>(
        t.adminKey,
        'mutation { createTenant(input: { name: "no-plan" }) { plan } }',
      ),
    );
    expect(createTenant.plan).toBe('unlimited');
  });
});
