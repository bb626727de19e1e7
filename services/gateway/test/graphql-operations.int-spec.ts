import { GraphQLSchemaHost } from '@nestjs/graphql';
import { connectorKinds } from '@sluice/connectors';
import { schemaText, readSchemaFile } from '../src/graphql/schema-file';
import {
  CONNECTOR_FIELDS,
  createConnector,
  createRule,
  failure,
  httpConnector,
  ok,
  RULE_FIELDS,
  storedDefinition,
  tenantWithKey,
  type ConnectorResult,
  type RuleResult,
} from './graphql-fixture';
import { startGraphqlApp, type DatabaseKind } from './graphql-test-app';

interface Page<T> {
  nodes: T[];
  pageInfo: { endCursor: string | null; hasNextPage: boolean };
}

describe.each<DatabaseKind>(['sqlite', 'postgres'])('GraphQL operations on %s', (database) => {
  let t: Awaited<ReturnType<typeof startGraphqlApp>>;

  beforeAll(async () => {
    t = await startGraphqlApp(database, {
      plans: JSON.stringify({
        free: {
          maxConnectors: 9,
          maxRules: 9,
          maxActionsPerRule: 3,
          freeActionsPerMonth: 1,
          pricePerMillionUsd: 1,
        },
      }),
    });
  });
  afterAll(async () => {
    await t?.close();
    await t?.dispose();
  });

  it('serves the schema that is checked in', async () => {
    expect(await schemaText(t.app.get(GraphQLSchemaHost).schema)).toBe(readSchemaFile());
  });

  it('lists tenants with cursor pagination and renames them (operator)', async () => {
    const names = ['p1', 'p2', 'p3'];
    for (const name of names) await tenantWithKey(t, `${database}-${name}`);
    const query =
      'query($after: String) { tenants(first: 2, after: $after) { nodes { name } pageInfo { endCursor hasNextPage } } }';
    const seen: string[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 10; pages++) {
      const page: Page<{ name: string }> = ok(
        await t.gql<{ tenants: Page<{ name: string }> }>(t.adminKey, query, { after }),
      ).tenants;
      expect(page.nodes.length).toBeLessThanOrEqual(2);
      seen.push(...page.nodes.map((n) => n.name));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen.filter((n) => n.startsWith(database))).toEqual(names.map((n) => `${database}-${n}`));
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('edits connectors: secrets kept unless replaced or cleared, filters, kinds', async () => {
    const a = await tenantWithKey(t, `${database}-connectors`);
    expect(ok(await t.gql<{ connectorKinds: string[] }>(a.key, '{ connectorKinds }')).connectorKinds).toEqual(
      connectorKinds(),
    );
    const c = ok(
      await createConnector(t, a.key, httpConnector('h', { headers: { authorization: 'Bearer one' } })),
    ).createConnector;
    const mqtt = ok(
      await createConnector(t, a.key, {
        name: 'm',
        kind: 'mqtt',
        enabled: false,
        config: { url: 'mqtt://127.0.0.1:1883', password: 'p' },
      }),
    ).createConnector;
    const update = `mutation($i: UpdateConnectorInput!) { updateConnector(input: $i) { ${CONNECTOR_FIELDS} } }`;
    const renamed = ok(
      await t.gql<{ updateConnector: ConnectorResult }>(a.key, update, {
        i: { id: c.id, version: 1, name: 'h2', config: { url: 'http://127.0.0.1:9/v2' } },
      }),
    ).updateConnector;
    expect(renamed).toMatchObject({
      name: 'h2',
      version: 2,
      config: { url: 'http://127.0.0.1:9/v2' },
      secretsSet: ['headers'],
    });
    expect((await storedDefinition(t, a.id))?.connectors).toEqual([
      {
        id: c.id,
        kind: 'http',
        config: { url: 'http://127.0.0.1:9/v2', headers: { authorization: 'Bearer one' } },
        configuredBy: 'tenant',
      },
    ]);
    const cleared = ok(
      await t.gql<{ updateConnector: ConnectorResult }>(a.key, update, {
        i: { id: c.id, version: 2, clearSecrets: ['headers'] },
      }),
    ).updateConnector;
    expect(cleared.secretsSet).toEqual([]);
    expect((await storedDefinition(t, a.id))?.connectors[0]?.config).toEqual({
      url: 'http://127.0.0.1:9/v2',
    });

    const list =
      '{ all: connectors { nodes { id } } off: connectors(filter: { enabled: false }) { nodes { id } } mqtt: connectors(filter: { kind: "mqtt" }) { nodes { id secretsSet } } }';
    const lists = ok(await t.gql<Record<string, Page<{ id: string; secretsSet?: string[] }>>>(a.key, list));
    expect(lists.all!.nodes.map((n) => n.id)).toEqual([c.id, mqtt.id]);
    expect(lists.off!.nodes.map((n) => n.id)).toEqual([mqtt.id]);
    expect(lists.mqtt!.nodes).toEqual([{ id: mqtt.id, secretsSet: ['password'] }]);

    const enabled = ok(
      await t.gql<{ enableConnector: ConnectorResult }>(
        a.key,
        `mutation($id: ID!) { enableConnector(id: $id, version: 1) { ${CONNECTOR_FIELDS} } }`,
        { id: mqtt.id },
      ),
    ).enableConnector;
    expect(enabled).toMatchObject({ enabled: true, version: 2 });
    expect((await storedDefinition(t, a.id))?.connectors.map((x) => x.id)).toEqual([c.id, mqtt.id]);
    ok(await t.gql(a.key, 'mutation($id: ID!) { deleteConnector(id: $id) }', { id: mqtt.id }));
    expect((await storedDefinition(t, a.id))?.connectors.map((x) => x.id)).toEqual([c.id]);
  });

  it('edits rules and their actions (position, enable, delete) and sources', async () => {
    const a = await tenantWithKey(t, `${database}-rules`);
    const c = ok(await createConnector(t, a.key, httpConnector('h'))).createConnector;
    const rule = ok(
      await createRule(t, a.key, { name: 'r', sql: 'SELECT * FROM "a/#"', description: 'd' }),
    ).createRule;
    const createAction =
      'mutation($i: CreateActionInput!) { createAction(input: $i) { id position enabled version } }';
    const first = ok(
      await t.gql<{ createAction: { id: string; position: number } }>(a.key, createAction, {
        i: { ruleId: rule.id, connectorId: c.id, config: { path: '/1' } },
      }),
    ).createAction;
    const second = ok(
      await t.gql<{ createAction: { id: string; position: number } }>(a.key, createAction, {
        i: { ruleId: rule.id, connectorId: c.id, config: { path: '/2' } },
      }),
    ).createAction;
    expect([first.position, second.position]).toEqual([0, 1]);
    const updateAction =
      'mutation($i: UpdateActionInput!) { updateAction(input: $i) { position enabled version config } }';
    expect(ok(await t.gql(a.key, updateAction, { i: { id: second.id, version: 1, position: 0 } }))).toEqual({
      updateAction: { position: 0, enabled: true, version: 2, config: { path: '/2' } },
    });
    ok(await t.gql(a.key, updateAction, { i: { id: first.id, version: 1, position: 1, enabled: false } }));
    const read = ok(
      await t.gql<{ rule: RuleResult }>(a.key, `query($id: ID!) { rule(id: $id) { ${RULE_FIELDS} } }`, {
        id: rule.id,
      }),
    ).rule;
    expect(read.actions.map((x) => [x.id, x.position, x.enabled])).toEqual([
      [second.id, 0, true],
      [first.id, 1, false],
    ]);
    expect((await storedDefinition(t, a.id))?.rules[0]?.actions.map((x) => x.id)).toEqual([second.id]);
    ok(await t.gql(a.key, 'mutation($id: ID!) { deleteAction(id: $id) }', { id: second.id }));
    expect((await storedDefinition(t, a.id))?.rules[0]?.actions).toEqual([]);

    const disabled = ok(
      await t.gql<{ disableRule: RuleResult }>(
        a.key,
        `mutation($id: ID!) { disableRule(id: $id, version: 1) { ${RULE_FIELDS} } }`,
        { id: rule.id },
      ),
    ).disableRule;
    expect(disabled).toMatchObject({ enabled: false, version: 2 });
    const off = ok(
      await t.gql<{ rules: Page<{ id: string }> }>(
        a.key,
        '{ rules(filter: { enabled: false }) { nodes { id } } }',
      ),
    ).rules;
    expect(off.nodes.map((n) => n.id)).toEqual([rule.id]);
    expect((await storedDefinition(t, a.id))?.rules).toEqual([]);
    ok(await t.gql(a.key, `mutation($id: ID!) { enableRule(id: $id, version: 2) { id } }`, { id: rule.id }));
    ok(await t.gql(a.key, 'mutation($id: ID!) { deleteRule(id: $id) }', { id: rule.id }));
    expect((await storedDefinition(t, a.id))?.rules).toEqual([]);

    const sourceFields = 'id name enabled version config secretsSet';
    const source = ok(
      await t.gql<{ createSource: { id: string } }>(
        a.key,
        `mutation($i: CreateSourceInput!) { createSource(input: $i) { ${sourceFields} } }`,
        { i: { name: 's', config: { topics: [{ filter: 'a/#', qos: 0 }] } } },
      ),
    ).createSource;
    const edited = ok(
      await t.gql(a.key, `mutation($i: UpdateSourceInput!) { updateSource(input: $i) { ${sourceFields} } }`, {
        i: {
          id: source.id,
          version: 1,
          name: 's2',
          config: { url: 'mqtt://own-broker.example', topics: [{ filter: 'b/#', qos: 2 }], password: 'x' },
        },
      }),
    );
    expect(edited).toEqual({
      updateSource: {
        id: source.id,
        name: 's2',
        enabled: true,
        version: 2,
        config: { url: 'mqtt://own-broker.example', topics: [{ filter: 'b/#', qos: 2 }] },
        secretsSet: ['password'],
      },
    });
    expect((await storedDefinition(t, a.id))?.sources).toEqual([
      {
        id: source.id,
        kind: 'mqtt',
        url: 'mqtt://own-broker.example',
        topics: [{ filter: 'b/#', qos: 2 }],
        password: 'x',
        // made with a tenant's key: ingest checks its broker against the target policy (issue 14)
        configuredBy: 'tenant',
      },
    ]);
    ok(
      await t.gql(a.key, 'mutation($id: ID!) { disableSource(id: $id, version: 2) { id } }', {
        id: source.id,
      }),
    );
    expect((await storedDefinition(t, a.id))?.sources).toEqual([]);
    const sources = ok(
      await t.gql<{ sources: Page<{ id: string }> }>(
        a.key,
        '{ sources(filter: { enabled: false }) { nodes { id } } }',
      ),
    ).sources;
    expect(sources.nodes.map((n) => n.id)).toEqual([source.id]);
    ok(
      await t.gql(a.key, 'mutation($id: ID!) { enableSource(id: $id, version: 3) { id } }', {
        id: source.id,
      }),
    );
    ok(await t.gql(a.key, 'mutation($id: ID!) { deleteSource(id: $id) }', { id: source.id }));
    expect(
      failure(await t.gql(a.key, 'query($id: ID!) { source(id: $id) { id } }', { id: source.id })).code,
    ).toBe('NOT_FOUND');
  });
});
