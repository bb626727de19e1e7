import { randomBytes } from 'node:crypto';
import mqtt from 'mqtt';
import { Client } from 'pg';
import {
  deleteTestStreams,
  eventually,
  freePort,
  HttpTarget,
  SluiceProcess,
  smallStreamLimits,
  testNamespace,
  testServers,
} from '../support';
import { subscribe } from '../support/graphql-subscription';

interface TraceEvent {
  topic: string;
  matched: boolean;
  outputs: { n: number }[];
  error: string | null;
}
interface Status {
  node: string;
  state: string;
  reason: string | null;
}

// The live views across separate processes on NATS: ingest and delivery announce states, rules and
// delivery their counters, and the gateway shows them; a rule trace streams as messages flow.
describe('live status, metrics and rule trace (mesh)', () => {
  const ns = testNamespace();
  const target = new HttpTarget();
  const adminKey = `e2e_admin_${ns.id}_0123456789abcdef`;
  const processes: SluiceProcess[] = [];
  let gateway: SluiceProcess;
  let publisher: mqtt.MqttClient;

  const gql = async <T>(key: string, query: string, variables: Record<string, unknown> = {}): Promise<T> => {
    const response = await fetch(`http://127.0.0.1:${gateway.port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ query, variables }),
    });
    const result = (await response.json()) as { data?: T; errors?: unknown[] };
    if (result.errors) throw new Error(JSON.stringify(result.errors));
    return result.data!;
  };
  const tenantWithKey = async (name: string) => {
    const { createTenant } = await gql<{ createTenant: { id: string } }>(
      adminKey,
      'mutation($n: String!) { createTenant(input: { name: $n }) { id } }',
      { n: name },
    );
    const { createApiKey } = await gql<{ createApiKey: { key: string } }>(
      adminKey,
      'mutation($t: ID) { createApiKey(tenantId: $t, input: { name: "k" }) { key } }',
      { t: createTenant.id },
    );
    return { id: createTenant.id, key: createApiKey.key };
  };

  beforeAll(async () => {
    await target.start();
    const env = async () => ({
      SLUICE_BUS: 'nats',
      SLUICE_NATS_URL: testServers.natsUrl,
      SLUICE_BUS_NAMESPACE: ns.streamPrefix,
      ...smallStreamLimits,
      SLUICE_MQTT_URL: testServers.mqttUrl,
      SLUICE_INGEST_CLIENT_ID_PREFIX: `sluice-${ns.id}`,
      SLUICE_HTTP_PORT: String(await freePort()),
      SLUICE_STATUS_INTERVAL_MS: '200',
      SLUICE_DELIVERY_BACKOFF_MS: '50',
      SLUICE_DELIVERY_BREAKER_THRESHOLD: '2',
      SLUICE_DELIVERY_BREAKER_OPEN_MS: '300',
    });
    for (const service of ['delivery', 'rules', 'ingest'] as const) {
      processes.push(new SluiceProcess(service, await env()).start());
    }
    gateway = new SluiceProcess('gateway', {
      ...(await env()),
      SLUICE_DATABASE_URL: testServers.postgresUrl,
      SLUICE_DATABASE_SCHEMA: ns.pgSchema,
      SLUICE_ADMIN_KEY: adminKey,
      SLUICE_SECRET_KEY: randomBytes(32).toString('base64'),
    }).start();
    processes.push(gateway);
    await Promise.all(processes.map((p) => p.ready()));
    publisher = await mqtt.connectAsync(testServers.mqttUrl);
  });

  afterAll(async () => {
    await publisher?.endAsync();
    await Promise.all(processes.map((p) => p.stop()));
    await target.close();
    await deleteTestStreams({ prefix: ns.streamPrefix });
    const pg = new Client({ connectionString: testServers.postgresUrl });
    await pg.connect();
    await pg.query(`DROP SCHEMA IF EXISTS "${ns.pgSchema}" CASCADE`).finally(() => pg.end());
  });

  it('counts, shows states (the target going down and back) and traces a rule; other tenants see none of it', async () => {
    const a = await tenantWithKey('live-a');
    const b = await tenantWithKey('live-b');
    const { createSource } = await gql<{ createSource: { id: string } }>(
      a.key,
      'mutation($i: CreateSourceInput!) { createSource(input: $i) { id } }',
      {
        i: {
          name: 'broker',
          config: { topics: [{ filter: `${ns.topicPrefix}live/#`, qos: 1 }] },
        },
      },
    );
    const { createConnector } = await gql<{ createConnector: { id: string } }>(
      a.key,
      'mutation($i: CreateConnectorInput!) { createConnector(input: $i) { id } }',
      { i: { name: 'target', kind: 'http', config: { url: target.url } } },
    );
    const { createRule: rule } = await gql<{ createRule: { id: string } }>(
      a.key,
      'mutation($i: CreateRuleInput!) { createRule(input: $i) { id } }',
      {
        i: {
          name: 'positive',
          sql: `SELECT payload.n AS n FROM "${ns.topicPrefix}live/#" WHERE payload.n > 0`,
          actions: [{ connectorId: createConnector.id, config: {} }],
        },
      },
    );
    const TRACE = 'subscription($r: ID!) { ruleTrace(ruleId: $r) { topic matched outputs error } }';
    const trace = subscribe<TraceEvent>(`http://127.0.0.1:${gateway.port}/graphql`, a.key, TRACE, {
      r: rule.id,
    });
    const foreign = subscribe<TraceEvent>(`http://127.0.0.1:${gateway.port}/graphql`, b.key, TRACE, {
      r: rule.id,
    });

    let n = 0;
    const publish = (value: number) =>
      // the broker's view: tenant a's namespace (its mountpoint, `<tenant id>/`) in front
      publisher.publishAsync(`${a.id}/${ns.topicPrefix}live/d1`, JSON.stringify({ n: value }), { qos: 1 });
    // the source subscribes asynchronously: publish until the first output arrives
    await eventually(
      async () => {
        await publish(++n);
        expect(target.requests.length).toBeGreaterThan(0);
      },
      { timeoutMs: 20_000, intervalMs: 300 },
    );
    await publish(0); // does not pass WHERE
    await eventually(() => expect(trace.events.some((e) => !e.matched)).toBe(true), { timeoutMs: 10_000 });
    expect(trace.errors).toEqual([]);
    const passedEvents = trace.events.filter((e) => e.matched);
    expect(passedEvents.length).toBeGreaterThan(0);
    expect(passedEvents.every((e) => e.outputs.length === 1 && e.outputs[0]!.n > 0)).toBe(true);
    expect(trace.events.every((e) => e.topic === `${ns.topicPrefix}live/d1` && e.error === null)).toBe(true);
    await foreign.ended;
    expect(foreign.errors.map((e) => e.extensions?.code)).toEqual(['NOT_FOUND']);
    expect(foreign.events).toEqual([]);

    const METRICS = `query($id: ID!) { rule(id: $id) {
      metrics { matched passed failedNoResult actionsTotal replicas }
      actions { metrics { matched success failed replicas } } } }`;
    type Metrics = {
      rule: { metrics: Record<string, number>; actions: { metrics: Record<string, number> }[] };
    };
    await eventually(
      async () => {
        const { rule: live } = await gql<Metrics>(a.key, METRICS, { id: rule.id });
        const delivered = target.requests.length;
        // every published message was evaluated once: n passed (some before the source was up
        // may be missing), one did not
        expect(live.metrics).toMatchObject({ passed: delivered, failedNoResult: 1, replicas: 1 });
        expect(live.metrics.matched).toBe(delivered + 1);
        expect(live.metrics.actionsTotal).toBe(delivered);
        expect(live.actions[0]!.metrics).toEqual({
          matched: delivered,
          success: delivered,
          failed: 0,
          replicas: 1,
        });
      },
      { timeoutMs: 10_000 },
    );
    // b's key cannot read a's counters
    await expect(gql(b.key, METRICS, { id: rule.id })).rejects.toThrow(/NOT_FOUND/);

    const STATES = `query($s: ID!, $c: ID!) { source(id: $s) { status { node state reason } }
      connector(id: $c) { status { node state reason } } }`;
    const states = () =>
      gql<{ source: { status: Status[] }; connector: { status: Status[] } }>(a.key, STATES, {
        s: createSource.id,
        c: createConnector.id,
      });
    await eventually(async () => {
      const { source, connector } = await states();
      expect(source.status).toEqual([
        { node: expect.stringMatching(/^ingest@/), state: 'connected', reason: null },
      ]);
      expect(connector.status).toEqual([
        { node: expect.stringMatching(/^delivery@/), state: 'connected', reason: null },
      ]);
    });

    // the target goes down: failures open the circuit, and the connector shows it
    target.status = 503;
    await eventually(
      async () => {
        await publish(++n);
        const { connector } = await states();
        expect(connector.status[0]).toMatchObject({
          state: 'disconnected',
          reason: expect.stringMatching(/circuit/),
        });
      },
      { timeoutMs: 15_000, intervalMs: 300 },
    );
    await eventually(async () => {
      const { rule: live } = await gql<Metrics>(a.key, METRICS, { id: rule.id });
      expect(live.actions[0]!.metrics.failed).toBeGreaterThan(0);
    });
    // and back: the probe delivery succeeds, the circuit closes, the state follows
    target.status = 200;
    await eventually(
      async () => {
        const { connector } = await states();
        expect(connector.status[0]).toMatchObject({ state: 'connected', reason: null });
      },
      { timeoutMs: 15_000, intervalMs: 300 },
    );
    await trace.close();
    await foreign.close();
  });
});
