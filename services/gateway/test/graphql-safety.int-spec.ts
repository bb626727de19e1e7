import { PERSISTENCE_DATA_SOURCE } from '@sluice/persistence';
import type { DataSource } from 'typeorm';
import {
  CONNECTOR_FIELDS,
  createConnector,
  createRule,
  failure,
  httpConnector,
  ok,
  tenantWithKey,
} from './graphql-fixture';
import { startGraphqlApp, type DatabaseKind } from './graphql-test-app';

describe.each<DatabaseKind>(['sqlite', 'postgres'])('GraphQL API safety on %s', (database) => {
  let t: Awaited<ReturnType<typeof startGraphqlApp>>;
  let a: Awaited<ReturnType<typeof tenantWithKey>>;
  let b: Awaited<ReturnType<typeof tenantWithKey>>;

  beforeAll(async () => {
    t = await startGraphqlApp(database);
    a = await tenantWithKey(t, 'tenant-a');
    b = await tenantWithKey(t, 'tenant-b');
  });
  afterAll(async () => {
    await t?.close();
    await t?.dispose();
  });

  it('refuses missing, unknown and revoked keys with UNAUTHENTICATED', async () => {
    expect(failure(await t.gql(undefined, '{ tenant { id } }')).code).toBe('UNAUTHENTICATED');
    expect(failure(await t.gql('slk_0123456789abcdef_nope', '{ tenant { id } }')).code).toBe(
      'UNAUTHENTICATED',
    );
    const extra = ok(
      await t.gql<{ createApiKey: { key: string; apiKey: { id: string; prefix: string } } }>(
        a.key,
        'mutation { createApiKey(input: { name: "temp" }) { key apiKey { id prefix } } }',
      ),
    ).createApiKey;
    expect(extra.key.startsWith(extra.apiKey.prefix)).toBe(true);
    expect(ok(await t.gql<{ tenant: { id: string } }>(extra.key, '{ tenant { id } }')).tenant.id).toBe(a.id);
    // the whole key is never listed again
    const listed = JSON.stringify(ok(await t.gql(a.key, '{ apiKeys { nodes { id prefix revokedAt } } }')));
    expect(listed).not.toContain(extra.key);
    ok(
      await t.gql(a.key, 'mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }', {
        id: extra.apiKey.id,
      }),
    );
    expect(failure(await t.gql(extra.key, '{ tenant { id } }')).code).toBe('UNAUTHENTICATED');
  });

  it('keeps a tenant key inside its tenant (FORBIDDEN or NOT_FOUND, never the data)', async () => {
    const theirs = ok(await createConnector(t, b.key, httpConnector('b-hook'))).createConnector;
    const theirRule = ok(
      await createRule(t, b.key, { name: 'b-rule', sql: 'SELECT * FROM "b/#"' }),
    ).createRule;

    // operator-only operations
    expect(failure(await t.gql(a.key, '{ tenants { nodes { id } } }')).code).toBe('FORBIDDEN');
    expect(failure(await t.gql(a.key, 'mutation { createTenant(input: { name: "x" }) { id } }')).code).toBe(
      'FORBIDDEN',
    );
    expect(
      failure(await t.gql(a.key, 'mutation($id: ID!) { deleteTenant(id: $id) }', { id: b.id })).code,
    ).toBe('FORBIDDEN');
    // naming the other tenant
    for (const query of [
      'query($t: ID) { connectors(tenantId: $t) { nodes { id } } }',
      'query($t: ID) { usage(tenantId: $t) { ruleActions } }',
      'query($t: ID) { apiKeys(tenantId: $t) { nodes { id } } }',
      'mutation($t: ID) { createApiKey(tenantId: $t, input: { name: "steal" }) { key } }',
      'mutation($t: ID) { createRule(tenantId: $t, input: { name: "x", sql: "SELECT * FROM \\"t\\"" }) { id } }',
    ]) {
      const response = await t.gql(a.key, query, { t: b.id });
      expect(failure(response).code, query).toBe('FORBIDDEN');
      expect(response.data ?? null).toBeNull();
    }
    // addressing the other tenant's rows by id
    const byId = [
      [`query($id: ID!) { connector(id: $id) { ${CONNECTOR_FIELDS} } }`, theirs.id],
      ['query($id: ID!) { rule(id: $id) { id sql } }', theirRule.id],
      ['mutation($id: ID!) { deleteConnector(id: $id) }', theirs.id],
      ['mutation($id: ID!) { deleteRule(id: $id) }', theirRule.id],
      ['mutation($id: ID!) { disableRule(id: $id, version: 1) { id } }', theirRule.id],
      [
        'mutation($id: ID!) { updateConnector(input: { id: $id, version: 1, name: "mine" }) { id } }',
        theirs.id,
      ],
      ['mutation($id: ID!) { revokeApiKey(id: $id) { id } }', b.keyId],
    ] as const;
    for (const [query, id] of byId)
      expect(failure(await t.gql(a.key, query, { id })).code, query).toBe('NOT_FOUND');
    // an action of mine cannot point at their connector
    const mine = ok(await createRule(t, a.key, { name: 'a-rule', sql: 'SELECT * FROM "a/#"' })).createRule;
    const action = await t.gql(a.key, 'mutation($i: CreateActionInput!) { createAction(input: $i) { id } }', {
      i: { ruleId: mine.id, connectorId: theirs.id, config: {} },
    });
    expect(failure(action).code).toBe('NOT_FOUND');
    // b's data is untouched
    const still = ok(
      await t.gql<{ connectors: { nodes: { name: string }[] } }>(b.key, '{ connectors { nodes { name } } }'),
    );
    expect(still.connectors.nodes.map((c) => c.name)).toEqual(['b-hook']);
    // the operator must say which tenant
    expect(failure(await t.gql(t.adminKey, '{ connectors { nodes { id } } }')).extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'tenantId',
    });
    const asOperator = ok(
      await t.gql<{ connectors: { nodes: { id: string }[] } }>(
        t.adminKey,
        'query($t: ID) { connectors(tenantId: $t) { nodes { id } } }',
        {
          t: b.id,
        },
      ),
    );
    expect(asOperator.connectors.nodes.map((c) => c.id)).toEqual([theirs.id]);
  });

  it('names the bad field with BAD_USER_INPUT', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ name: '', kind: 'http', config: { url: 'http://127.0.0.1:9' } }, 'input.name'],
      [{ name: 'x', kind: 'http', config: { url: 'ftp://nope' } }, 'input.config.url'],
      [{ name: 'x', kind: 'carrier-pigeon', config: {} }, 'input.kind'],
    ];
    for (const [input, field] of cases) {
      const error = failure(await createConnector(t, a.key, input));
      expect(error.extensions, field).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    const source = failure(
      await t.gql(a.key, 'mutation($i: CreateSourceInput!) { createSource(input: $i) { id } }', {
        i: { name: 's', config: { topics: [] } },
      }),
    );
    expect(source.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.config.topics' });
    const page = failure(await t.gql(a.key, '{ rules(first: 0) { nodes { id } } }'));
    expect(page.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
    const cursor = failure(await t.gql(a.key, '{ rules(after: "forged") { nodes { id } } }'));
    expect(cursor.code).toBe('BAD_USER_INPUT');
  });

  it('reports rule syntax errors with line and column, on create and in testRule', async () => {
    const error = failure(await createRule(t, a.key, { name: 'bad', sql: 'SELECT *\nFORM "t/#"' }));
    // "FORM" starts at line 2, column 1 (1-based), by hand
    expect(error.extensions).toMatchObject({ code: 'RULE_SYNTAX', line: 2, column: 1, field: 'input.sql' });
    expect(error.message).not.toMatch(/\bat .*\.ts:\d+/);
    const tested = ok(
      await t.gql<{ testRule: { matched: boolean; error: { kind: string; line: number; column: number } } }>(
        a.key,
        'query($sql: String!) { testRule(sql: $sql, context: { topic: "t/1" }) { matched error { kind line column } } }',
        { sql: 'SELECT *\nFORM "t/#"' },
      ),
    ).testRule;
    expect(tested).toEqual({ matched: false, error: { kind: 'syntax', line: 2, column: 1 } });
  });

  it('answers CONFLICT for a stale version, a taken name and a connector still in use', async () => {
    const c = ok(await createConnector(t, a.key, httpConnector('conflicts'))).createConnector;
    const update = 'mutation($i: UpdateConnectorInput!) { updateConnector(input: $i) { version name } }';
    const first = ok(
      await t.gql<{ updateConnector: { version: number } }>(a.key, update, {
        i: { id: c.id, version: 1, name: 'renamed' },
      }),
    );
    expect(first.updateConnector.version).toBe(2);
    const stale = failure(await t.gql(a.key, update, { i: { id: c.id, version: 1, name: 'again' } }));
    expect(stale.extensions).toMatchObject({
      code: 'CONFLICT',
      sluiceCode: 'PERSISTENCE_STALE_VERSION',
      expectedVersion: 1,
    });
    expect(failure(await createRule(t, a.key, { name: 'a-rule', sql: 'SELECT * FROM "x"' })).code).toBe(
      'CONFLICT',
    );
    const rule = ok(
      await createRule(t, a.key, {
        name: 'uses-it',
        sql: 'SELECT * FROM "x"',
        actions: [{ connectorId: c.id, config: { path: '/p' } }],
      }),
    ).createRule;
    expect(
      failure(await t.gql(a.key, 'mutation($id: ID!) { deleteConnector(id: $id) }', { id: c.id })).code,
    ).toBe('CONFLICT');
    ok(await t.gql(a.key, 'mutation($id: ID!) { deleteRule(id: $id) }', { id: rule.id }));
    ok(await t.gql(a.key, 'mutation($id: ID!) { deleteConnector(id: $id) }', { id: c.id }));
    expect(
      failure(await t.gql(a.key, 'mutation($id: ID!) { deleteConnector(id: $id) }', { id: c.id })).code,
    ).toBe('NOT_FOUND');
  });

  it('refuses operations that are too deep or too costly, and never shows a stack trace', async () => {
    // a valid operation 14 fields deep: __schema, types, fields, type, 9 ofType, name
    let deep = 'name';
    for (let i = 0; i < 9; i++) deep = `ofType { ${deep} }`;
    const tooDeep = await t.gql(a.key, `{ __schema { types { fields { type { ${deep} } } } } }`);
    expect(tooDeep.errors).toHaveLength(1);
    expect(failure(tooDeep).extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', depth: 14 });
    const costly = `{ ${Array.from({ length: 60 }, (_, i) => `r${i}: rules(first: 500) { nodes { id actions { id } } }`).join(' ')} }`;
    expect(failure(await t.gql(a.key, costly)).extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX' });

    // a stored secret that no longer opens is an internal error with a generic answer
    const c = ok(
      await createConnector(t, a.key, httpConnector('tampered', { headers: { a: 'b' } })),
    ).createConnector;
    const ds = t.app.get<DataSource>(PERSISTENCE_DATA_SOURCE);
    await ds.query(`UPDATE connectors SET secrets_sealed = 'v1.AAAA.BBBB.CCCC' WHERE id = '${c.id}'`);
    const broken = await t.gql(a.key, `query($id: ID!) { connector(id: $id) { ${CONNECTOR_FIELDS} } }`, {
      id: c.id,
    });
    expect(failure(broken).code).toBe('INTERNAL_SERVER_ERROR');
    for (const response of [tooDeep, broken]) {
      expect(JSON.stringify(response)).not.toMatch(/stacktrace|\.ts:\d+|node_modules/);
    }
    // every error carries the request's trace id: the caller's traceparent, or a fresh one
    expect(failure(broken).extensions.traceId).toMatch(/^[\da-f]{32}$/);
    const traced = await fetch(t.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      },
      body: JSON.stringify({ query: '{ tenant { id } }' }),
    });
    const body = (await traced.json()) as { errors: { extensions: Record<string, unknown> }[] };
    expect(body.errors[0]?.extensions).toMatchObject({
      code: 'UNAUTHENTICATED',
      traceId: '0af7651916cd43dd8448eb211c80319c',
    });
  });
});
