import { createConnector, createRule, failure, httpConnector, ok, tenantWithKey } from './graphql-fixture';
import { startGraphqlApp, type DatabaseKind } from './graphql-test-app';

const plans = JSON.stringify({
  free: {
    maxConnectors: 2,
    maxRules: 4,
    maxActionsPerRule: 1,
    freeActionsPerMonth: 1_000_000,
    pricePerMillionUsd: 0.25,
  },
  team: {
    maxConnectors: 3,
    maxRules: 1,
    maxActionsPerRule: 2,
    freeActionsPerMonth: 100,
    pricePerMillionUsd: 2,
  },
});

describe.each<DatabaseKind>(['sqlite', 'postgres'])('plan quotas on %s', (database) => {
  let t: Awaited<ReturnType<typeof startGraphqlApp>>;

  beforeAll(async () => {
    t = await startGraphqlApp(database, { plans });
  });
  afterAll(async () => {
    await t?.close();
    await t?.dispose();
  });

  it('allows the free plan 2 connectors, 4 rules and 1 action per rule', async () => {
    const a = await tenantWithKey(t, 'free-tenant');
    const c1 = ok(await createConnector(t, a.key, httpConnector('c1'))).createConnector;
    ok(await createConnector(t, a.key, httpConnector('c2')));
    const third = failure(await createConnector(t, a.key, httpConnector('c3')));
    expect(third.extensions).toMatchObject({
      code: 'QUOTA_EXCEEDED',
      resource: 'connectors',
      limit: 2,
      plan: 'free',
    });

    const action = { connectorId: c1.id, config: { path: '/a' } };
    const twoActions = failure(
      await createRule(t, a.key, { name: 'two', sql: 'SELECT * FROM "t"', actions: [action, action] }),
    );
    expect(twoActions.extensions).toMatchObject({
      code: 'QUOTA_EXCEEDED',
      resource: 'actionsPerRule',
      limit: 1,
    });

    const rules = [];
    for (let i = 0; i < 4; i++) {
      rules.push(
        ok(await createRule(t, a.key, { name: `r${i}`, sql: 'SELECT * FROM "t"', actions: [action] }))
          .createRule,
      );
    }
    expect(
      failure(await createRule(t, a.key, { name: 'r5', sql: 'SELECT * FROM "t"' })).extensions,
    ).toMatchObject({
      code: 'QUOTA_EXCEEDED',
      resource: 'rules',
      limit: 4,
    });
    const extraAction = failure(
      await t.gql(a.key, 'mutation($i: CreateActionInput!) { createAction(input: $i) { id } }', {
        i: { ruleId: rules[0]!.id, ...action },
      }),
    );
    expect(extraAction.code).toBe('QUOTA_EXCEEDED');
    // nothing of the refused changes was saved
    const counts = ok(
      await t.gql<{ connectors: { nodes: unknown[] }; rules: { nodes: { actions: unknown[] }[] } }>(
        a.key,
        '{ connectors { nodes { id } } rules { nodes { actions { id } } } }',
      ),
    );
    expect(counts.connectors.nodes).toHaveLength(2);
    expect(counts.rules.nodes.map((r) => r.actions.length)).toEqual([1, 1, 1, 1]);
  });

  it('holds under concurrent creates: 8 at once leave exactly 2 connectors', async () => {
    const a = await tenantWithKey(t, 'racing-tenant');
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => createConnector(t, a.key, httpConnector(`race-${i}`))),
    );
    const codes = results.map((r) => (r.errors ? r.errors[0]?.extensions?.code : 'OK'));
    expect(codes.filter((c) => c === 'OK')).toHaveLength(2);
    expect(codes.filter((c) => c === 'QUOTA_EXCEEDED')).toHaveLength(6);
  });

  it('follows the plan set on the tenant (configurable plans)', async () => {
    const a = await tenantWithKey(t, 'team-tenant', 'team');
    ok(await createRule(t, a.key, { name: 'only', sql: 'SELECT * FROM "t"' }));
    expect(
      failure(await createRule(t, a.key, { name: 'second', sql: 'SELECT * FROM "t"' })).extensions,
    ).toMatchObject({
      code: 'QUOTA_EXCEEDED',
      limit: 1,
      plan: 'team',
    });
    const tenant = ok(await t.gql<{ tenant: { version: number } }>(a.key, '{ tenant { version } }')).tenant;
    const moved = ok(
      await t.gql<{ updateTenant: { plan: string; version: number } }>(
        t.adminKey,
        'mutation($i: UpdateTenantInput!) { updateTenant(input: $i) { plan version } }',
        { i: { id: a.id, version: tenant.version, plan: 'free' } },
      ),
    ).updateTenant;
    expect(moved).toEqual({ plan: 'free', version: tenant.version + 1 });
    ok(await createRule(t, a.key, { name: 'second', sql: 'SELECT * FROM "t"' }));
    const unknownPlan = failure(
      await t.gql(t.adminKey, 'mutation { createTenant(input: { name: "x", plan: "platinum" }) { id } }'),
    );
    expect(unknownPlan.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.plan' });
  });
});
