import { connect, type NatsConnection } from 'nats';
import { createSubjects, defaultBusConfig, JetStreamBus, STREAM_NAMES } from '@sluice/bus';
import { createConfigStore } from '@sluice/config-store';
import type { SluiceError } from '@sluice/errors';
import { eventually, NatsCluster, smallStreamLimits, testNamespace } from '../../../test/support';

// SLUICE_BUS_REPLICAS on a three-node cluster (issue 21): the streams, their durable consumers and
// the config bucket get that many replicas, and an installation that ran on R1 is brought to R3.
describe('replication on a three-node JetStream cluster', () => {
  const ns = testNamespace();
  const cluster = new NatsCluster();
  let admin: NatsConnection;
  const limits = {
    SLUICE_BUS_INGEST_MAX_BYTES: Number(smallStreamLimits.SLUICE_BUS_INGEST_MAX_BYTES),
    SLUICE_BUS_ACTIONS_MAX_BYTES: Number(smallStreamLimits.SLUICE_BUS_ACTIONS_MAX_BYTES),
    SLUICE_BUS_DLQ_MAX_BYTES: Number(smallStreamLimits.SLUICE_BUS_DLQ_MAX_BYTES),
  };

  beforeAll(async () => {
    await cluster.start();
    admin = await connect({ servers: cluster.urls.split(',') });
  });

  afterAll(async () => {
    await admin?.close();
    await cluster.cleanup();
  });

  const bus = (replicas: number) =>
    new JetStreamBus(
      defaultBusConfig({ SLUICE_NATS_URL: cluster.urls, SLUICE_BUS_REPLICAS: replicas, ...limits }),
      createSubjects(ns.streamPrefix),
    );
  /** The replicas a stream or consumer has now: its leader and its followers. */
  const placed = (info: { cluster?: { leader?: string; replicas?: unknown[] } }) =>
    (info.cluster?.leader ? 1 : 0) + (info.cluster?.replicas?.length ?? 0);

  it('creates the streams with one replica, then brings them and their consumers to three', async () => {
    const jsm = await admin.jetstreamManager();
    const r1 = bus(1);
    await r1.start();
    const consumption = await r1.consume(
      { stream: 'INGEST', durable: 'rules', filterSubject: `${ns.streamPrefix}sluice.ingest.>` },
      () => Promise.resolve(),
    );
    for (const name of STREAM_NAMES) {
      expect((await jsm.streams.info(`${ns.streamPrefix}${name}`)).config.num_replicas).toBe(1);
    }
    await consumption.stop();
    await r1.close();

    const r3 = bus(3);
    await r3.start();
    for (const name of STREAM_NAMES) {
      const info = await jsm.streams.info(`${ns.streamPrefix}${name}`);
      expect(info.config.num_replicas, name).toBe(3);
    }
    // the durable consumer follows its stream
    const consumer = await jsm.consumers.info(`${ns.streamPrefix}INGEST`, 'rules');
    expect(placed(consumer)).toBe(3);
    // right after the move the stream may still be electing its leader: the publish is refused as
    // unavailable (the caller retries with the same id), never as a subject without a stream
    const subject = createSubjects(ns.streamPrefix).ingest('t1', 's1');
    const refusals: string[] = [];
    await eventually(
      () =>
        r3.publish(subject, new Uint8Array([1]), { msgId: 'm1' }).catch((error: SluiceError) => {
          refusals.push(error.code);
          throw error;
        }),
      { timeoutMs: 20_000, intervalMs: 200 },
    );
    expect(refusals.filter((code) => code !== 'BUS_UNAVAILABLE')).toEqual([]);
    expect((await jsm.streams.info(`${ns.streamPrefix}INGEST`)).state.messages).toBe(1);
    await r3.close();
  });

  it('brings an existing config bucket from one replica to three, keeping its entries', async () => {
    const settings = {
      SLUICE_BUS: 'nats' as const,
      SLUICE_NATS_URL: cluster.urls,
      SLUICE_BUS_NAMESPACE: ns.streamPrefix,
    };
    const r1 = createConfigStore({ ...settings, SLUICE_BUS_REPLICAS: 1 });
    await r1.start();
    await r1.put('acme', Buffer.from('v1'));
    await r1.close();
    const jsm = await admin.jetstreamManager();
    const bucket = `KV_${ns.streamPrefix}SLUICE_CONFIG`;
    expect((await jsm.streams.info(bucket)).config.num_replicas).toBe(1);

    const r3 = createConfigStore({ ...settings, SLUICE_BUS_REPLICAS: 3 });
    await r3.start();
    expect((await jsm.streams.info(bucket)).config.num_replicas).toBe(3);
    expect(Buffer.from((await r3.get('acme'))!.value!).toString()).toBe('v1');
    await r3.close();
  });
});
