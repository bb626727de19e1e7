import mqtt from 'mqtt';
import { createConfigStore, type ConfigStore } from '@sluice/config-store';
import {
  eventually,
  freePort,
  HttpTarget,
  SluiceProcess,
  testNamespace,
  testServers,
  deleteTestStreams,
  smallStreamLimits,
} from '../support';

// Configuration reaches running services through the config store (what the gateway writes), with
// no restart: a tenant appears, its rule changes, then it is removed.
describe('config changes reach ingest, rules and delivery without a restart', () => {
  const ns = testNamespace();
  const target = new HttpTarget();
  const processes: SluiceProcess[] = [];
  let store: ConfigStore;
  let publisher: mqtt.MqttClient;
  const tenantId = `t${ns.id}`;
  const topic = `${ns.topicPrefix}cfg/d1`;
  const settings = {
    SLUICE_BUS: 'nats' as const,
    SLUICE_NATS_URL: testServers.natsUrl,
    SLUICE_BUS_NAMESPACE: ns.streamPrefix,
  };

  const tenant = (sql: string) => ({
    id: tenantId,
    sources: [{ id: 'devices', topics: [{ filter: `${ns.topicPrefix}cfg/#`, qos: 1 }] }],
    connectors: [{ id: 'webhook', kind: 'http', config: { url: target.url } }],
    rules: [{ id: 'r1', sql, actions: [{ id: 'post', connector: 'webhook', config: {} }] }],
  });
  const put = (sql: string) => store.put(tenantId, Buffer.from(JSON.stringify(tenant(sql))));
  const bodiesFor = (marker: string) => target.jsonBodies().filter((b) => JSON.stringify(b).includes(marker));

  beforeAll(async () => {
    await target.start();
    store = createConfigStore(settings);
    await store.start();
    for (const service of ['delivery', 'rules', 'ingest'] as const) {
      const p = new SluiceProcess(service, {
        ...settings,
        ...smallStreamLimits,
        SLUICE_MQTT_URL: testServers.mqttUrl,
        SLUICE_INGEST_CLIENT_ID_PREFIX: `sluice-${ns.id}`,
        SLUICE_HTTP_PORT: String(await freePort()),
      });
      processes.push(p.start());
    }
    await Promise.all(processes.map((p) => p.ready()));
    publisher = await mqtt.connectAsync(testServers.mqttUrl);
  });

  afterAll(async () => {
    await publisher?.endAsync();
    await Promise.all(processes.map((p) => p.stop()));
    await store?.delete(tenantId).catch(() => undefined);
    await store?.close();
    await target.close();
    await deleteTestStreams({ prefix: ns.streamPrefix });
  });

  it('a new tenant starts flowing, an edited rule gives the new output, a removed tenant stops', async () => {
    await put(`SELECT payload.n AS n, 'v1' AS version FROM "${ns.topicPrefix}cfg/#"`);
    await eventually(
      async () => {
        await publisher.publishAsync(topic, JSON.stringify({ n: 1 }), { qos: 1 });
        expect(bodiesFor('"v1"').length).toBeGreaterThan(0);
      },
      { timeoutMs: 20_000, intervalMs: 500 },
    );

    await put(`SELECT payload.n AS n, 'v2' AS version FROM "${ns.topicPrefix}cfg/#"`);
    await eventually(
      async () => {
        await publisher.publishAsync(topic, JSON.stringify({ n: 2 }), { qos: 1 });
        expect(bodiesFor('"v2"').length).toBeGreaterThan(0);
      },
      { timeoutMs: 10_000, intervalMs: 250 },
    );

    // a rule that does not compile is refused by the services; the running version stays
    await put(`SELECT FORM nothing`);
    await publisher.publishAsync(topic, JSON.stringify({ n: 3 }), { qos: 1 });
    await eventually(
      () => expect(target.jsonBodies().some((b) => b['n'] === 3 && b['version'] === 'v2')).toBe(true),
      {
        timeoutMs: 10_000,
      },
    );
    const rules = processes.find((p) => p.service === 'rules')!;
    expect(rules.output).toMatch(/rule 'r1' of tenant '[^']+': .*line 1/);

    await store.delete(tenantId);
    await eventually(() => expect(processes.find((p) => p.service === 'ingest')!.output).toMatch(/stopped/), {
      timeoutMs: 10_000,
    });
    const before = target.requests.length;
    await publisher.publishAsync(topic, JSON.stringify({ n: 4 }), { qos: 1 });
    // the HTTP target must stay quiet; give the pipeline the time it needed above to deliver
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(target.requests.length).toBe(before);
  });
});
