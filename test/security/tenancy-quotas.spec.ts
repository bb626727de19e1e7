import { startGraphqlApp } from '../../services/gateway/test/graphql-test-app';

// Item 8 of issue 14: there was no quota on sources or API keys (40 broker connections and 200 keys
// on a free plan). Replayed against the GraphQL API on SQLite, as a tenant on the free plan.
describe('attack: creating more than the plan allows', () => {
  let t: Awaited<ReturnType<typeof startGraphqlApp>>;

  beforeAll(async () => {
    t = await startGraphqlApp('sqlite');
  });

  afterAll(async () => {
    await t?.close();
    await t?.dispose();
  });

  const tenantKey = async (name: string) => {
    const tenant = await t.gql<{ createTenant: { id: string } }>(
      t.adminKey,
      'mutation($i: CreateTenantInput!) { createTenant(input: $i) { id } }',
      { i: { name, plan: 'free' } },
    );
    const key = await t.gql<{ createApiKey: { key: string } }>(
      t.adminKey,
      'mutation($t: ID) { createApiKey(tenantId: $t, input: { name: "k" }) { key } }',
      { t: tenant.data!.createTenant.id },
    );
    return key.data!.createApiKey.key;
  };
  let sources = 0;
  const createSource = (key: string, config: Record<string, unknown>) =>
    t.gql(key, 'mutation($i: CreateSourceInput!) { createSource(input: $i) { id } }', {
      i: { name: `s${++sources}`, config: { topics: [{ filter: 'a/#', qos: 1 }], ...config } },
    });
  const quota = (answer: { errors?: { extensions?: Record<string, unknown> }[] }) =>
    answer.errors?.[0]?.extensions?.['sluiceCode'];

  it('sources and their broker connections stop at the plan (free: 2 and 2)', async () => {
    const key = await tenantKey('hoarder');
    expect(quota(await createSource(key, { connections: 3 }))).toBe('QUOTA_EXCEEDED');
    expect((await createSource(key, {})).errors).toBeUndefined();
    expect((await createSource(key, {})).errors).toBeUndefined();
    expect(quota(await createSource(key, {}))).toBe('QUOTA_EXCEEDED');
  });

  it('API keys stop at the plan (free: 5 unrevoked)', async () => {
    const key = await tenantKey('key-hoarder');
    const mint = () => t.gql(key, 'mutation { createApiKey(input: { name: "more" }) { key } }');
    // the tenant already has one key: four more are allowed
    for (let i = 0; i < 4; i++) expect((await mint()).errors).toBeUndefined();
    expect(quota(await mint())).toBe('QUOTA_EXCEEDED');
  });
});
