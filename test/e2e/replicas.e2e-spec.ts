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

/** Sums a counter over its label sets in a Prometheus text exposition. */
function counterTotal(metrics: string, name: string): number {
  return metrics
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

// Two replicas of each service on one NATS and one Mosquitto share the work; SIGKILL of one replica
// of each mid-stream loses nothing (the killed ones come back, as an orchestrator would restart them).
describe('replicas share the work and survive SIGKILL', () => {
  const ns = testNamespace();
  const target = new HttpTarget();
  const replicas: SluiceProcess[] = [];
  let publisher: mqtt.MqttClient;

  beforeAll(async () => {
    await target.start();
    const pipelineFile = writeSkeletonPipeline(ns, target.url);
    const common = {
      SLUICE_BUS: 'nats',
      SLUICE_NATS_URL: testServers.natsUrl,
      SLUICE_BUS_NAMESPACE: ns.streamPrefix,
      ...smallStreamLimits,
      SLUICE_MQTT_URL: testServers.mqttUrl,
      SLUICE_PIPELINE_FILE: pipelineFile,
      // why: a killed replica's unacknowledged messages go to the survivor after this long
      SLUICE_BUS_ACK_WAIT_MS: '3000',
      SLUICE_DELIVERY_BACKOFF_MS: '50',
    };
    for (const service of ['delivery', 'rules', 'ingest'] as const) {
      for (const n of [1, 2]) {
        replicas.push(
          new SluiceProcess(service, {
            ...common,
            SLUICE_HTTP_PORT: String(await freePort()),
            SLUICE_INGEST_CLIENT_ID_PREFIX: `sluice-${ns.id}-r${n}`,
          }).start(),
        );
      }
    }
    // why one key: replicas of the gateway open each other's sealed secrets
    const secretKey = randomBytes(32).toString('base64');
    for (let i = 0; i < 2; i++) {
      replicas.push(
        new SluiceProcess('gateway', {
          ...common,
          SLUICE_HTTP_PORT: String(await freePort()),
          SLUICE_DATABASE_URL: testServers.postgresUrl,
          SLUICE_DATABASE_SCHEMA: ns.pgSchema,
          SLUICE_ADMIN_KEY: 'replica-admin-key-0123456789abcdef',
          SLUICE_SECRET_KEY: secretKey,
        }).start(),
      );
      // why: the first gateway runs the migrations; the second finds them done
      await replicas[replicas.length - 1]!.ready();
    }
    await Promise.all(replicas.map((p) => p.ready()));
    publisher = await mqtt.connectAsync(testServers.mqttUrl, { protocolVersion: 5 });
  });

  afterAll(async () => {
    await publisher?.endAsync();
    await Promise.all(replicas.map((p) => p.stop()));
    await target.close();
    await deleteTestStreams({ prefix: ns.streamPrefix });
  });

  it('splits the stream between replicas and loses no QoS 1 message when one of each is killed', async () => {
    const total = 600;
    const sent: string[] = [];
    const streaming = (async () => {
      for (let i = 0; i < total; i++) {
        const id = `m-${i}`;
        await publisher.publishAsync(`${ns.topicPrefix}sensors/r`, JSON.stringify({ id }), { qos: 1 });
        sent.push(id);
        if (i % 20 === 0) await new Promise((r) => setTimeout(r, 20));
      }
    })();
    await eventually(() => expect(sent.length).toBeGreaterThan(total / 3), { timeoutMs: 30_000 });
    const victims = ['ingest', 'rules', 'delivery'].map((s) => replicas.find((p) => p.service === s)!);
    await Promise.all(victims.map((v) => v.stop('SIGKILL')));
    await streaming;
    for (const victim of victims) victim.start();
    await Promise.all(victims.map((v) => v.ready()));

    const received = () =>
      new Set(target.jsonBodies().map((b) => (JSON.parse(b['payload'] as string) as { id: string }).id));
    await eventually(() => expect(received().size).toBe(total), { timeoutMs: 90_000, intervalMs: 500 });
    expect([...received()].sort()).toEqual([...sent].sort());
    const duplicates = target.requests.length - total;
    expect(duplicates).toBeGreaterThanOrEqual(0);

    // how the work was split, from each surviving replica's own /metrics
    const split: Record<string, number[]> = {};
    for (const p of replicas.filter((r) => r.service !== 'gateway' && !victims.includes(r))) {
      const metrics = await (await fetch(`http://127.0.0.1:${p.port}/metrics`)).text();
      const name = {
        ingest: 'sluice_source_messages_stored_total',
        rules: 'sluice_rule_passed_total',
        delivery: 'sluice_action_success_total',
      }[p.service as 'ingest' | 'rules' | 'delivery'];
      (split[p.service] ??= []).push(counterTotal(metrics, name));
    }
    console.log(
      `replicas: survivors handled ${JSON.stringify(split)} of ${total}; ${duplicates} duplicate deliveries`,
    );
    for (const service of ['ingest', 'rules', 'delivery']) {
      expect(split[service]![0], `${service} survivor did part of the work`).toBeGreaterThan(0);
    }
  });
});
