import { randomBytes } from 'node:crypto';
import mqtt from 'mqtt';
import {
  eventually,
  freePort,
  HttpTarget,
  SluiceProcess,
  testNamespace,
  testServers,
  deleteTestStreams,
  smallStreamLimits,
  writeSkeletonPipeline,
} from '../support';

// The walking skeleton across four processes: Mosquitto -> ingest -> NATS -> rules -> NATS ->
// delivery -> a local HTTP server, on the real Mosquitto and NATS of this machine.
describe('walking skeleton: four processes, Mosquitto and NATS JetStream', () => {
  const ns = testNamespace();
  const target = new HttpTarget();
  const processes: SluiceProcess[] = [];
  let publisher: mqtt.MqttClient;

  const serviceEnv = async (pipelineFile: string) => ({
    SLUICE_BUS: 'nats',
    SLUICE_NATS_URL: testServers.natsUrl,
    SLUICE_BUS_NAMESPACE: ns.streamPrefix,
    ...smallStreamLimits,
    SLUICE_MQTT_URL: testServers.mqttUrl,
    SLUICE_PIPELINE_FILE: pipelineFile,
    SLUICE_INGEST_CLIENT_ID_PREFIX: `sluice-${ns.id}`,
    SLUICE_HTTP_PORT: String(await freePort()),
    SLUICE_DELIVERY_BACKOFF_MS: '50',
  });

  beforeAll(async () => {
    await target.start();
    const pipelineFile = writeSkeletonPipeline(ns, target.url);
    for (const service of ['delivery', 'rules', 'ingest'] as const) {
      processes.push(new SluiceProcess(service, await serviceEnv(pipelineFile)).start());
    }
    processes.push(
      new SluiceProcess('gateway', {
        ...(await serviceEnv(pipelineFile)),
        SLUICE_DATABASE_URL: testServers.postgresUrl,
        SLUICE_DATABASE_SCHEMA: ns.pgSchema,
        SLUICE_ADMIN_KEY: 'e2e-admin-key-0123456789abcdef',
        SLUICE_SECRET_KEY: randomBytes(32).toString('base64'),
      }).start(),
    );
    await Promise.all(processes.map((p) => p.ready()));
    publisher = await mqtt.connectAsync(testServers.mqttUrl, { protocolVersion: 5 });
  });

  afterAll(async () => {
    await publisher?.endAsync();
    await Promise.all(processes.map((p) => p.stop()));
    await target.close();
    await deleteTestStreams({ prefix: ns.streamPrefix });
  });

  const byService = (name: string) => processes.find((p) => p.service === name)!;

  it('delivers a message published on sensors/d1 to the HTTP target', async () => {
    await publisher.publishAsync(`${ns.topicPrefix}sensors/d1`, JSON.stringify({ temp: 21.5 }), { qos: 1 });
    const body = await eventually(
      () => {
        const found = target.jsonBodies().find((b) => b['topic'] === `${ns.topicPrefix}sensors/d1`);
        expect(found).toBeDefined();
        return found!;
      },
      { timeoutMs: 15_000 },
    );
    // SELECT * gives the message under EMQX's names, the payload as the published string
    expect(body['payload']).toBe('{"temp":21.5}');
    expect(body['qos']).toBe(1);
  });

  it('every service answers /health/live', async () => {
    for (const p of processes) {
      const response = await fetch(`http://127.0.0.1:${p.port}/health/live`);
      expect(response.status, p.service).toBe(200);
    }
  });

  // SIGTERM during a steady QoS 1 stream: each service in turn stops gracefully and comes back.
  for (const service of ['ingest', 'rules', 'delivery'] as const) {
    it(`loses no QoS 1 message when ${service} gets SIGTERM mid-stream`, async () => {
      const run = `${service}-${Date.now()}`;
      const total = 300;
      const sent: string[] = [];
      const streaming = (async () => {
        for (let i = 0; i < total; i++) {
          const id = `${run}-${i}`;
          await publisher.publishAsync(`${ns.topicPrefix}sensors/${run}`, JSON.stringify({ id }), { qos: 1 });
          sent.push(id);
          if (i % 10 === 0) await new Promise((r) => setTimeout(r, 10));
        }
      })();
      await eventually(() => expect(sent.length).toBeGreaterThan(total / 3), { timeoutMs: 20_000 });
      const victim = byService(service);
      expect(await victim.stop('SIGTERM')).toBe(0);
      victim.start();
      await streaming;
      await victim.ready();
      const received = () =>
        new Set(
          target
            .jsonBodies()
            .filter((b) => b['topic'] === `${ns.topicPrefix}sensors/${run}`)
            .map((b) => (JSON.parse(b['payload'] as string) as { id: string }).id),
        );
      await eventually(() => expect(received().size).toBe(total), { timeoutMs: 60_000, intervalMs: 200 });
      expect([...received()].sort()).toEqual([...sent].sort());
    });
  }
});
