import type { MqttClient } from 'mqtt';
import {
  compareDelivery,
  connectPublisher,
  describeReport,
  eventually,
  FaultMesh,
  IdTarget,
  PrivateMosquitto,
  PrivateNats,
  QosStream,
  rssMiB,
  testNamespace,
  writeFaultPipeline,
  type MeshService,
} from '../support';

/**
 * Resident memory no mesh process may exceed during the burst. docs/benchmarks.md measured
 * 150-190 MiB per mesh process at the sustained rate; a backlog must wait in the broker and in
 * JetStream (bounded windows), not in a process's memory.
 */
const RSS_CEILING_MIB = 512;
const BURST_SECONDS = 30;

// A burst at twice the sustained rate (measured first, in the same run) for 30 s: the pipeline
// falls behind, the backlog waits in the broker and the streams, every process's memory stays
// under the ceiling, nothing is dropped, and everything arrives once the burst is over.
describe('fault: burst at twice the sustained rate for 30 s', () => {
  const ns = testNamespace();
  const nats = new PrivateNats();
  const broker = new PrivateMosquitto();
  const target = new IdTarget();
  let mesh: FaultMesh;
  let publisher: MqttClient;

  beforeAll(async () => {
    await Promise.all([nats.start(), broker.start(), target.start()]);
    const pipelineFile = writeFaultPipeline(
      ns,
      [{ id: 'webhook', kind: 'http', config: { url: target.url } }],
      [
        {
          id: 'ids',
          sql: `SELECT payload.id AS id, payload.ts AS ts FROM "${ns.topicPrefix}#"`,
          actions: [{ id: 'post', connector: 'webhook', config: { method: 'POST' } }],
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

  it('holds back, keeps memory bounded and delivers everything', async () => {
    const sustain = new QosStream(() => publisher, `${ns.topicPrefix}burst/sustain`, 'sustain');
    const sustained = await sustain.closedLoop(10, 500, () => target.counts.size);
    await eventually(() => expect(target.counts.size).toBe(sustain.published), { timeoutMs: 60_000 });
    const rate = Math.max(20, Math.round(sustained * 2));
    const total = rate * BURST_SECONDS;

    const services: MeshService[] = ['ingest', 'rules', 'delivery'];
    const peak = Object.fromEntries(services.map((s) => [s, 0])) as Record<MeshService, number>;
    let backlog = 0;
    const sampler = setInterval(() => {
      for (const s of services) peak[s] = Math.max(peak[s], rssMiB(mesh.get(s).pid) || 0);
      backlog = Math.max(backlog, sustain.published + burst.acked.size - target.counts.size);
    }, 250);
    const burst = new QosStream(() => publisher, `${ns.topicPrefix}burst/burst`, 'burst');
    const started = Date.now();
    try {
      await burst.publish(total, rate, 240_000);
      const published = Date.now();
      await eventually(() => expect(compareDelivery(burst, target.received()).missing).toHaveLength(0), {
        timeoutMs: 240_000,
        intervalMs: 1000,
      });
      const drained = Date.now();
      const report = compareDelivery(burst, target.received());
      console.log(
        describeReport(
          `burst at ${rate}/s (2 x sustained ${Math.round(sustained)}/s) for ${BURST_SECONDS} s`,
          report,
          `published in ${((published - started) / 1000).toFixed(0)} s, all arrived after ` +
            `${((drained - started) / 1000).toFixed(0)} s; peak backlog ${backlog}; peak RSS MiB ` +
            services.map((s) => `${s} ${peak[s].toFixed(0)}`).join(', '),
        ),
      );
      expect(report.unexpected).toEqual([]);
      expect(report.arrived).toBe(total);
    } finally {
      clearInterval(sampler);
    }
    expect(compareDelivery(sustain, target.received()).missing).toEqual([]);
    for (const s of services) expect(peak[s], `${s} peak RSS MiB`).toBeLessThan(RSS_CEILING_MIB);
    expect(await mesh.metric('ingest', 'sluice_source_messages_dropped_total')).toBe(0);
    expect(await mesh.metric('delivery', 'sluice_action_dropped_total')).toBe(0);
    expect(await mesh.metric('delivery', 'sluice_action_dead_lettered_total')).toBe(0);
  });
});
