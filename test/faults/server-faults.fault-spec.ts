import type { MqttClient } from 'mqtt';
import {
  compareDelivery,
  connectPublisher,
  describeReport,
  eventually,
  FaultMesh,
  HttpTarget,
  PrivateMosquitto,
  PrivateNats,
  QosStream,
  testNamespace,
  quiescent,
  writeFaultPipeline,
  type LossReport,
  throughout,
} from '../support';

// The servers under the mesh fail during a QoS 1 stream: NATS restarted, NATS down for 20 s (issue
// 5), the MQTT broker restarted. Private NATS and Mosquitto, one mesh for the three scenarios.
describe('fault: NATS and the MQTT broker fail mid-stream', () => {
  const ns = testNamespace();
  const nats = new PrivateNats();
  const broker = new PrivateMosquitto();
  const target = new HttpTarget();
  let mesh: FaultMesh;
  let publisher: MqttClient;
  const rate = 50;

  const received = (): string[] => target.jsonBodies().map((b) => String(b['id']));

  beforeAll(async () => {
    await Promise.all([nats.start(), broker.start(), target.start()]);
    const pipelineFile = writeFaultPipeline(
      ns,
      [{ id: 'webhook', kind: 'http', config: { url: target.url } }],
      [
        {
          id: 'ids',
          sql: `SELECT payload.id AS id FROM "${ns.topicPrefix}#"`,
          actions: [{ id: 'post', connector: 'webhook', config: { method: 'POST' } }],
        },
      ],
      [
        // the default: a shared subscription ($share/sluice/...), how ingest scales out
        { id: 'shared', topics: [{ filter: `${ns.topicPrefix}s/#`, qos: 1 }], reconnectPeriodMs: 2000 },
        // a plain persistent subscription (one ingest connection), for the broker-restart comparison
        {
          id: 'plain',
          topics: [{ filter: `${ns.topicPrefix}p/#`, qos: 1 }],
          shareGroup: false,
          reconnectPeriodMs: 2000,
        },
      ],
    );
    mesh = await new FaultMesh({
      ns,
      natsUrl: nats.url,
      mqttUrl: broker.url,
      pipelineFile,
      services: ['ingest', 'rules', 'delivery'],
    }).start();
    publisher = await connectPublisher(broker.url, `pub-${ns.id}`);
  });

  afterAll(async () => {
    await publisher?.endAsync().catch(() => undefined);
    await mesh?.stop();
    await target.close();
    await Promise.all([nats.cleanup(), broker.cleanup()]);
  });

  const settle = async (stream: QosStream, timeoutMs = 120_000): Promise<LossReport> => {
    await eventually(() => expect(compareDelivery(stream, received()).missing).toEqual([]), {
      timeoutMs,
      intervalMs: 250,
    }).catch(async (error: Error) => {
      const report = describeReport(stream.run, compareDelivery(stream, received()));
      const stages = await mesh.stageCounts().catch((e: Error) => e.message);
      throw new Error(
        `${error.message}\n${report}\nstage counters: ${stages}\n${mesh.output()}\n--- nats\n${nats.output.slice(-2000)}\n--- mosquitto\n${broker.output.slice(-3000)}`,
      );
    });
    const report = compareDelivery(stream, received());
    expect(report.unexpected).toEqual([]);
    return report;
  };

  const midStream = async (stream: QosStream, total: number) =>
    eventually(() => expect(stream.acked.size).toBeGreaterThan(total / 3), { timeoutMs: 30_000 });

  it('loses no QoS 1 message when NATS is restarted mid-stream', async () => {
    const total = 600;
    const stream = new QosStream(() => publisher, `${ns.topicPrefix}s/nats-restart`, 'nats-restart');
    const streaming = stream.publish(total, rate, 180_000);
    await midStream(stream, total);
    await nats.restart();
    await streaming;
    const report = await settle(stream);
    console.log(describeReport('NATS restarted', report));
    expect(report.arrived).toBe(total);
  });

  it('loses no QoS 1 message when NATS is stopped for 20 s mid-stream, and the services stay up', async () => {
    const total = 1500;
    const stream = new QosStream(() => publisher, `${ns.topicPrefix}s/nats-outage`, 'nats-outage');
    const streaming = stream.publish(total, rate, 180_000);
    await midStream(stream, total / 2);
    await nats.stop();
    const duringOutage = stream.acked.size;
    // while NATS is away no service gives up and exits
    await throughout(
      () => {
        for (const service of ['ingest', 'rules', 'delivery'] as const) {
          expect(mesh.get(service).exitCode, `${service} still runs`).toBeUndefined();
        }
      },
      { durationMs: 20_000 },
    );
    // the broker kept taking the stream while ingest could not store it (it holds back its PUBACKs)
    expect(stream.acked.size).toBeGreaterThan(duringOutage);
    await nats.start();
    await streaming;
    const report = await settle(stream);
    for (const service of ['ingest', 'rules', 'delivery'] as const) {
      expect(mesh.get(service).exitCode, `${service} still runs`).toBeUndefined();
    }
    const storeFailures = await mesh.metric('ingest', 'sluice_source_store_failures_total');
    console.log(describeReport('NATS down 20 s', report, `ingest store failures retried: ${storeFailures}`));
    expect(report.arrived).toBe(total);
  });

  describe('the MQTT broker (Mosquitto 2.0, persistence on) restarted mid-stream', () => {
    // Two streams through the one restart: one to the default shared subscription, one to a plain
    // persistent subscription (`shareGroup: false`). Both ingest connections reconnect 2 s after
    // the broker went away; the publisher, like most devices, is back within 200 ms.
    const reports: Record<'shared' | 'plain', LossReport | undefined> = {
      shared: undefined,
      plain: undefined,
    };

    it('loses no QoS 1 message on a plain persistent subscription', async () => {
      const total = 600;
      const shared = new QosStream(() => publisher, `${ns.topicPrefix}s/broker-restart`, 'broker-shared');
      const plain = new QosStream(() => publisher, `${ns.topicPrefix}p/broker-restart`, 'broker-plain');
      const streaming = Promise.all([
        shared.publish(total, rate / 2, 180_000),
        plain.publish(total, rate / 2, 180_000),
      ]);
      await midStream(plain, total);
      await broker.restart();
      await streaming;
      reports.plain = await settle(plain);
      await quiescent(() => received().length);
      reports.shared = compareDelivery(shared, received());
      console.log(describeReport('Mosquitto restarted, plain subscription', reports.plain));
      console.log(describeReport('Mosquitto restarted, shared subscription', reports.shared));
      expect(reports.plain.arrived).toBe(total);
      expect(reports.shared.unexpected).toEqual([]);
    });

    // KNOWN LOSS (reported, issue 5): Mosquitto 2.0.11 restores a persistent session after a restart
    // but not its shared subscriptions (checked by hand: a `$share/g/x/#` session gets nothing
    // published while it was offline, a plain `x/#` session gets it). Until ingest resubscribes,
    // QoS 1 messages published to the restarted broker match no subscription: the broker PUBACKs
    // them to the publisher (MQTT 5: reason 16, no matching subscribers) and discards them. Here
    // that is every message published in the ~2 s before ingest reconnects. Sluice cannot get them
    // back; the mitigation is `shareGroup: false` on Mosquitto (previous test) or a broker that
    // persists shared subscriptions. Remove `.fails` when that changes.
    it.fails('loses no QoS 1 message on the default shared subscription ($share)', () => {
      expect(reports.shared?.missing).toEqual([]);
    });
  });
});
