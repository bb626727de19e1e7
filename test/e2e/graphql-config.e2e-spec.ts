import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { eventually, freePort, HttpTarget, SluiceProcess, testNamespace } from '../support';

// The configuration API drives a running Sluice: what is created through GraphQL flows, without a
// restart, and what is disabled or edited changes the flow within a second.
describe('configuring a running Sluice through GraphQL (embedded mode)', () => {
  const ns = testNamespace();
  const target = new HttpTarget();
  const adminKey = `e2e_admin_${ns.id}_0123456789abcdef`;
  let sluice: SluiceProcess;
  let mqttPort: number;
  let client: mqtt.MqttClient;

  const gql = async (key: string, query: string, variables: Record<string, unknown> = {}) => {
    const response = await fetch(`http://127.0.0.1:${sluice.port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as {
      data?: unknown;
      errors?: { extensions?: { code?: string } }[];
    };
  };
  const data = async <T>(key: string, query: string, variables: Record<string, unknown> = {}): Promise<T> => {
    const result = await gql(key, query, variables);
    if (result.errors) throw new Error(JSON.stringify(result.errors));
    return result.data as T;
  };
  /** The tenant's namespace on the broker (its mountpoint, `<tenant id>/`), once it exists. */
  let mountpoint = '';
  const publish = (n: number) =>
    client.publishAsync(`${mountpoint}${ns.topicPrefix}sensors/d1`, JSON.stringify({ n }), { qos: 1 });
  const received = () => target.jsonBodies();

  beforeAll(async () => {
    await target.start();
    mqttPort = await freePort();
    sluice = new SluiceProcess('all', {
      SLUICE_ADMIN_KEY: adminKey,
      SLUICE_HTTP_PORT: String(await freePort()),
      SLUICE_EMBEDDED_MQTT_PORT: String(mqttPort),
      SLUICE_DATA_DIR: mkdtempSync(join(tmpdir(), 'sluice-graphql-e2e-')),
      SLUICE_NATS_URL: 'nats://127.0.0.1:1',
    }).start();
    await sluice.ready();
    // why the operator's login: the embedded broker refuses anonymous clients once a tenant exists
    client = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, {
      username: 'admin',
      password: adminKey,
    });
  });

  afterAll(async () => {
    await client?.endAsync();
    await sluice?.stop();
    await target.close();
  });

  it('creates, disables and edits a pipeline; quotas and usage hold', async () => {
    const { createTenant } = await data<{ createTenant: { id: string } }>(
      adminKey,
      // why a plan: the embedded default is unlimited; the quota check needs the free plan
      'mutation { createTenant(input: { name: "e2e", plan: "free" }) { id } }',
    );
    mountpoint = `${createTenant.id}/`;
    const { createApiKey } = await data<{ createApiKey: { key: string } }>(
      adminKey,
      'mutation($t: ID) { createApiKey(tenantId: $t, input: { name: "k" }) { key } }',
      { t: createTenant.id },
    );
    const key = createApiKey.key;
    await data(key, 'mutation($i: CreateSourceInput!) { createSource(input: $i) { id } }', {
      i: { name: 'broker', config: { topics: [{ filter: `${ns.topicPrefix}sensors/#`, qos: 1 }] } },
    });
    const { createConnector } = await data<{ createConnector: { id: string } }>(
      key,
      'mutation($i: CreateConnectorInput!) { createConnector(input: $i) { id } }',
      { i: { name: 'target', kind: 'http', config: { url: target.url } } },
    );
    const createRule = async (name: string, version: string) =>
      (
        await data<{ createRule: { id: string; version: number } }>(
          key,
          'mutation($i: CreateRuleInput!) { createRule(input: $i) { id version } }',
          {
            i: {
              name,
              sql: `SELECT payload.n AS n, '${version}' AS version FROM "${ns.topicPrefix}sensors/#"`,
              actions: [{ connectorId: createConnector.id, config: {} }],
            },
          },
        )
      ).createRule;
    const rule = await createRule('main', 'v1');
    // the canary rule stays enabled: its output for a message proves that message was evaluated
    await createRule('canary', 'canary');
    const outputs = (version: string) =>
      received()
        .filter((b) => b['version'] === version)
        .map((b) => b['n']);

    let n = 0;
    // the source subscribes asynchronously: publish until the first output arrives
    await eventually(
      async () => {
        await publish(++n);
        expect(outputs('v1')).not.toHaveLength(0);
      },
      { timeoutMs: 15_000 },
    );

    const { disableRule } = await data<{ disableRule: { version: number } }>(
      key,
      'mutation($id: ID!, $v: Int!) { disableRule(id: $id, version: $v) { version } }',
      { id: rule.id, v: rule.version },
    );
    // once one message is evaluated without v1, every later one is too (one ordered stream)
    await eventually(
      async () => {
        await publish(++n);
        expect(outputs('canary').some((k) => typeof k === 'number' && !outputs('v1').includes(k))).toBe(true);
      },
      { timeoutMs: 10_000 },
    );
    const afterDisable = n + 1;
    for (let i = 0; i < 3; i++) await publish(++n);
    await eventually(() => expect(outputs('canary')).toContain(n), { timeoutMs: 10_000 });
    expect(outputs('v1').filter((k) => (k as number) >= afterDisable)).toEqual([]);

    // edit the SQL and enable it again: the new output flows
    await data(key, 'mutation($i: UpdateRuleInput!) { updateRule(input: $i) { version } }', {
      i: {
        id: rule.id,
        version: disableRule.version,
        enabled: true,
        sql: `SELECT payload.n AS n, 'v2' AS version FROM "${ns.topicPrefix}sensors/#"`,
      },
    });
    await eventually(
      async () => {
        await publish(++n);
        expect(outputs('v2')).not.toHaveLength(0);
      },
      { timeoutMs: 10_000 },
    );

    const create = (name: string) =>
      gql(key, 'mutation($i: CreateConnectorInput!) { createConnector(input: $i) { id } }', {
        i: { name, kind: 'http', config: { url: target.url } },
      });
    expect((await create('second')).errors).toBeUndefined();
    expect((await create('third')).errors?.[0]?.extensions?.code).toBe('QUOTA_EXCEEDED');

    // every delivered output is one rule action executed; usage reports arrive about once a second
    await eventually(
      async () => {
        const { usage } = await data<{ usage: { ruleActions: number } }>(key, '{ usage { ruleActions } }');
        expect(usage.ruleActions).toBe(target.requests.length);
      },
      { timeoutMs: 10_000 },
    );
  });
});
