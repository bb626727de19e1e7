import { promises as dns } from 'node:dns';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnector, tenantTargetPolicy, type TargetResolver } from '@sluice/connectors';
import { loadPipelineFile, parsePipelineDefinition } from '@sluice/pipeline';
import { createSource } from '@sluice/sources';
import mqtt from 'mqtt';
import { failure, ok, storedDefinition, tenantWithKey } from '../../services/gateway/test/graphql-fixture';
import { startGraphqlApp } from '../../services/gateway/test/graphql-test-app';
import { eventually, NatsCluster, testServers } from '../support';
import { FakeKafkaBroker } from '../support/fake-kafka';

// Findings (issue 14): ingest checked a tenant's source broker only when it was saved, so a name
// that resolved elsewhere later (DNS rebinding) was followed; and nats.js dials the servers a NATS
// cluster advertises (INFO connect_urls), which no check ever saw.

/** Answers a public address (TEST-NET-3) the first `lies` times a name is asked, then the truth. */
function rebinding(lies: number): TargetResolver {
  const asked = new Map<string, number>();
  return async (host) => {
    const n = asked.get(host) ?? 0;
    asked.set(host, n + 1);
    if (n < lies) return [{ address: '203.0.113.7', family: 4 }];
    return dns.lookup(host, { all: true, verbatim: true });
  };
}

const policy = (allow: string[], resolve?: TargetResolver) =>
  tenantTargetPolicy(
    { SLUICE_CONNECTOR_TARGETS_ALLOW: allow, SLUICE_CONNECTOR_TARGETS_DENY: [] },
    undefined,
    undefined,
    resolve,
  );
const viaName = (url: string) => url.replace('127.0.0.1', 'localhost');

describe("ingest checks a tenant's source broker when it connects", () => {
  it('mqtt: a name that passed the check when saved and resolves to loopback now is not connected to', async () => {
    const received: string[] = [];
    const topic = `rebind-src/${process.pid}`;
    const config = {
      id: 'own',
      tenant: 'mallory',
      url: viaName(testServers.mqttUrl),
      topics: [{ filter: topic, qos: 1 as const }],
      startTimeoutMs: 1_000,
      reconnectPeriodMs: 200,
    };
    // saved while the name answered a public address: the check then passed
    await expect(policy([], rebinding(1)).check({ host: 'localhost', port: 1883 })).resolves.toBeUndefined();
    const attacked = createSource(config, async () => void received.push('own'), {
      targets: policy([], rebinding(0)),
    });
    const allowed = createSource({ ...config, id: 'allowed' }, async () => void received.push('allowed'), {
      targets: policy(['loopback'], rebinding(0)),
    });
    const publisher = await mqtt.connectAsync(testServers.mqttUrl);
    try {
      await attacked.start().catch(() => undefined);
      await allowed.start();
      expect(attacked.status()).toMatchObject({ state: expect.not.stringMatching(/^connected$/) });
      expect(JSON.stringify(attacked.status())).toMatch(
        /localhost:1883 is not allowed: loopback and private/,
      );
      await publisher.publishAsync(topic, 'x', { qos: 1 });
      // the control source (same broker, loopback allowed) gets it; the attacked one never subscribed
      await eventually(() => expect(received).toEqual(['allowed']));
    } finally {
      await attacked.stop();
      await allowed.stop();
      await publisher.endAsync();
    }
  });

  it('mqtt: a broker given as an address is checked when the source starts (a socket skips its lookup for an IP)', async () => {
    const source = createSource(
      {
        id: 'ip',
        tenant: 'mallory',
        url: testServers.mqttUrl,
        topics: [{ filter: 'ip/#', qos: 1 as const }],
      },
      async () => undefined,
      { targets: policy([]) },
    );
    await expect(source.start()).rejects.toThrow(/127\.0\.0\.1:1883 is not allowed: loopback/);
    expect(source.status()).toMatchObject({
      state: 'disconnected',
      reason: expect.stringMatching(/not allowed/),
    });
    await source.stop();
  });

  it('nats: refused before nats.js resolves the name itself (which it does on every reconnect)', async () => {
    const config = {
      kind: 'nats' as const,
      id: 'own',
      tenant: 'mallory',
      servers: [viaName(testServers.natsUrl)],
      subjects: ['rebind.src'],
    };
    // the name answered a public address when the gateway checked it; now it is loopback
    const attacked = createSource(config, async () => undefined, { targets: policy([], rebinding(0)) });
    await expect(attacked.start()).rejects.toThrow(/localhost:4222 is not allowed/);
    expect(attacked.status()).toMatchObject({ state: 'disconnected' });
  });

  it('kafka: the brokers (and those the cluster advertises) are connected to through the policy', async () => {
    const broker = await new FakeKafkaBroker(1).start();
    const port = Number(broker.address.split(':').pop());
    broker.append('orders', 0, { value: 'a', timestamp: 1_700_000_000_000 });
    const received: string[] = [];
    const config = (id: string) => ({
      kind: 'kafka' as const,
      id,
      tenant: 'mallory',
      brokers: [`localhost:${port}`],
      topics: ['orders'],
      fromBeginning: true,
      groupId: id,
      connectionTimeoutMs: 1_000,
    });
    const attacked = createSource(config('attacked'), async () => void received.push('attacked'), {
      targets: policy([], rebinding(0)),
    });
    const allowed = createSource(config('allowed'), async () => void received.push('allowed'), {
      targets: policy(['loopback'], rebinding(0)),
    });
    try {
      await expect(attacked.start()).rejects.toThrow(/not allowed|Connection error/);
      await allowed.start();
      await eventually(() => expect(received).toEqual(['allowed']), { timeoutMs: 10_000 });
      expect(attacked.status().state).not.toBe('connected');
    } finally {
      await attacked.stop().catch(() => undefined);
      await allowed.stop();
      await broker.close();
    }
  });

  it("a pipeline file's sources are the operator's; a definition that does not say is a tenant's", () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-src-'));
    const file = join(dir, 'pipeline.json');
    const tenants = [{ id: 't', sources: [{ id: 's', url: 'mqtt://h', topics: [{ filter: '#' }] }] }];
    writeFileSync(file, JSON.stringify({ tenants }));
    try {
      expect(loadPipelineFile(file).tenants[0]!.sources[0]!.configuredBy).toBe('operator');
      // ingest checks every source whose configuredBy is not 'operator'
      expect(parsePipelineDefinition({ tenants }).tenants[0]!.sources[0]!.configuredBy).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the gateway says who chose a source broker, for ingest', () => {
  const CREATE_SOURCE =
    'mutation($i: CreateSourceInput!, $t: ID) { createSource(input: $i, tenantId: $t) { id version } }';
  const UPDATE_SOURCE = 'mutation($i: UpdateSourceInput!) { updateSource(input: $i) { id version } }';

  it("a tenant's key makes it a tenant's source (also after the operator's), and configuredBy cannot be given", async () => {
    const t = await startGraphqlApp('sqlite', { targetsAllow: ['loopback'] });
    try {
      const mallory = await tenantWithKey(t, 'mallory');
      const config = (id: string) => ({ url: 'mqtt://127.0.0.1:1883', topics: [{ filter: `${id}/#` }] });
      const byOperator = ok(
        await t.gql<{ createSource: { id: string; version: number } }>(t.adminKey, CREATE_SOURCE, {
          i: { name: 'ops', config: config('ops') },
          t: mallory.id,
        }),
      ).createSource;
      ok(await t.gql(mallory.key, CREATE_SOURCE, { i: { name: 'own', config: config('own') } }));
      const by = async () =>
        Object.fromEntries(
          ((await storedDefinition(t, mallory.id))?.sources ?? []).map((s) => [
            s.topics[0]!.filter,
            s.configuredBy,
          ]),
        );
      expect(await by()).toEqual({ 'ops/#': 'operator', 'own/#': 'tenant' });
      ok(
        await t.gql(mallory.key, UPDATE_SOURCE, {
          i: { id: byOperator.id, version: byOperator.version, config: config('ops') },
        }),
      );
      expect(await by()).toEqual({ 'ops/#': 'tenant', 'own/#': 'tenant' });
      const forged = failure(
        await t.gql(mallory.key, CREATE_SOURCE, {
          i: { name: 'forged', config: { ...config('forged'), configuredBy: 'operator' } },
        }),
      );
      expect(forged.code).toBe('BAD_USER_INPUT');
      expect(forged.message).toMatch(/configuredBy/);
    } finally {
      await t.close();
      await t.dispose();
    }
  });
});

describe('NATS: the servers a cluster advertises are not dialled for a tenant', () => {
  let cluster: NatsCluster;
  beforeAll(async () => {
    cluster = await new NatsCluster().start();
  });
  afterAll(async () => {
    await cluster.cleanup();
  });

  it("a tenant's connector stays on the server it was given; the operator's follows the cluster", async () => {
    const [first] = cluster.nodes;
    const servers = first!.url;
    // loopback allowed, so only the cluster's advertisements could take it elsewhere
    const tenant = createConnector(
      'nats',
      { servers, reconnectTimeWaitMs: 100 },
      { targets: policy(['loopback']) },
    );
    const operator = createConnector('nats', { servers, reconnectTimeWaitMs: 100 });
    try {
      await tenant.start();
      await operator.start();
      expect(tenant.status()).toEqual({ state: 'connected' });
      expect(operator.status()).toEqual({ state: 'connected' });
      await first!.stop();
      await eventually(() => expect(operator.status()).toEqual({ state: 'connected' }), {
        timeoutMs: 20_000,
      });
      // why a window, not a wait for a condition: this checks that something never happens; ten of
      // the tenant's reconnect attempts (100 ms apart), each look asserting it has not moved over
      for (let look = 0; look < 10; look++) {
        expect(tenant.status().state).toBe('disconnected');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const [outcome] = await tenant.createAction({ subject: 'adv.test' }).send([{ id: '1', data: {} }]);
      expect(outcome).toMatchObject({ ok: false, retryable: true });
    } finally {
      await tenant.close();
      await operator.close();
    }
  });
});
