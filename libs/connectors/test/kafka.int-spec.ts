import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { createConnector, type Connector, type DeliveryRecord } from '@sluice/connectors';
import { eventually, freePort } from '../../../test/support';
import { FakeKafkaBroker } from '../../../test/support/fake-kafka';

/** A record as read back from the broker. */
interface ReadRecord {
  topic: string;
  partition: number;
  key: string | null;
  value: string | null;
  timestamp: number;
  headers: Record<string, string>;
}

/** What the shared test body needs from a broker: the fake one or a real Kafka. */
interface KafkaUnderTest {
  brokers: string[];
  /** Creates the topics with 3 partitions (a real broker refuses unknown ones: no auto-creation). */
  createTopics(topics: string[]): Promise<void>;
  /** The records on `topic` once there are `count` of them. */
  read(topic: string, count: number): Promise<ReadRecord[]>;
  /** Only for the fake: what the wire carried (requests, acks, codec) and injected errors. */
  fake?: FakeKafkaBroker;
  close(): Promise<void>;
}

async function fakeKafka(): Promise<KafkaUnderTest> {
  const broker = await new FakeKafkaBroker(3).start();
  return {
    brokers: [broker.address],
    createTopics: () => Promise.resolve(),
    read: async (topic, count) =>
      eventually(() => {
        const found = broker.records.filter((r) => r.topic === topic);
        expect(found).toHaveLength(count);
        return found;
      }),
    fake: broker,
    close: () => broker.close(),
  };
}

function realKafka(brokers: string[]): KafkaUnderTest {
  const kafka = new Kafka({ clientId: 'sluice-test', brokers, logLevel: logLevel.NOTHING });
  return {
    brokers,
    createTopics: async (topics) => {
      const admin = kafka.admin();
      await admin.connect();
      try {
        await admin.createTopics({
          topics: topics.map((topic) => ({ topic, numPartitions: 3 })),
          waitForLeaders: true,
        });
      } finally {
        await admin.disconnect();
      }
    },
    read: async (topic, count) => {
      const consumer = kafka.consumer({ groupId: `sluice-test-${randomBytes(4).toString('hex')}` });
      const got: ReadRecord[] = [];
      await consumer.connect();
      try {
        await consumer.subscribe({ topic, fromBeginning: true });
        await consumer.run({
          eachMessage: ({ partition, message }) => {
            const headers: Record<string, string> = {};
            for (const [name, value] of Object.entries(message.headers ?? {}))
              headers[name] = Array.isArray(value) ? value.join(',') : (value?.toString() ?? '');
            got.push({
              topic,
              partition,
              key: message.key?.toString() ?? null,
              value: message.value?.toString() ?? null,
              timestamp: Number(message.timestamp),
              headers,
            });
            return Promise.resolve();
          },
        });
        await eventually(() => expect(got).toHaveLength(count), { timeoutMs: 30_000 });
        return got;
      } finally {
        await consumer.disconnect();
      }
    },
    close: () => Promise.resolve(),
  };
}

const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const batch: DeliveryRecord[] = [
  { id: 'm1', data: { clientid: 'c1', ts: 1700000000000, payload: '{"temp":20}' }, headers: { traceparent } },
  { id: 'm2', data: { clientid: 'c2', ts: 1700000000001, payload: { temp: 21 } } },
  { id: 'm3', data: { clientid: 'c1', ts: 1700000000002, payload: { temp: 22 } } },
];

/**
 * One test body for both brokers. Against the fake it also checks what only the wire shows (one
 * produce request per batch, the acks and codec of each request) and injected broker errors.
 */
function describeKafkaConnector(name: string, create: () => Promise<KafkaUnderTest>): void {
  describe(name, () => {
    let kafka: KafkaUnderTest;
    let connector: Connector;
    // why a prefix per run: a real broker keeps topics and records between runs
    const p = `sluice-${randomBytes(4).toString('hex')}-`;

    beforeAll(async () => {
      kafka = await create();
      await kafka.createTopics(
        [
          ...['telemetry.c1', 'telemetry.c2', 'raw', 'keyed', 'spread', 'split', 'linger', 'bytes'],
          ...['gzip', 'snappy', 'lz4', 'zstd'].map((codec) => `zipped-${codec}`),
        ].map((t) => p + t),
      );
      connector = createConnector('kafka', { brokers: kafka.brokers });
      await connector.start();
    });

    afterAll(async () => {
      await connector?.close();
      await kafka?.close();
    });

    beforeEach(() => {
      if (!kafka.fake) return;
      kafka.fake.produceRequests = 0;
      kafka.fake.failProduceWith = undefined;
    });

    it('produces a batch with topic, key, value, timestamp and headers', async () => {
      expect(connector.status()).toEqual({ state: 'connected' });
      const action = connector.createAction({
        topic: `${p}telemetry.\${clientid}`,
        key: '${clientid}',
        value: '${payload.temp}',
        timestamp: '${ts}',
        headers: { device: '${clientid}' },
      });
      expect(await action.send(batch)).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
      const c1 = await kafka.read(`${p}telemetry.c1`, 2);
      const c2 = await kafka.read(`${p}telemetry.c2`, 1);
      const got = [...c1, ...c2].map((r) => [r.topic, r.key, r.value, r.timestamp]);
      expect(got.sort()).toEqual([
        [`${p}telemetry.c1`, 'c1', '20', 1700000000000],
        [`${p}telemetry.c1`, 'c1', '22', 1700000000002],
        [`${p}telemetry.c2`, 'c2', '21', 1700000000001],
      ]);
      const first = c1.find((r) => r.value === '20')!;
      expect(first.headers).toEqual({ 'sluice-id': 'm1', traceparent, device: 'c1' });
      if (kafka.fake) {
        expect(kafka.fake.produceRequests).toBe(1);
        expect(kafka.fake.records.filter((r) => r.topic.startsWith(p)).map((r) => r.acks)).toEqual([
          -1, -1, -1,
        ]);
      }
    });

    it('sends the whole rule output as JSON by default, without a key', async () => {
      const action = connector.createAction({ topic: `${p}raw` });
      expect(await action.send([{ id: 'x', data: { a: 1 } }])).toEqual([{ ok: true }]);
      const [record] = await kafka.read(`${p}raw`, 1);
      expect(JSON.parse(record!.value!)).toEqual({ a: 1 });
      expect(record!.key).toBeNull();
    });

    it('puts records with the same key on the same partition with key_dispatch', async () => {
      const action = connector.createAction({
        topic: `${p}keyed`,
        key: '${k}',
        partitionStrategy: 'key_dispatch',
      });
      const records = Array.from({ length: 30 }, (_, i) => ({ id: `r${i}`, data: { k: `key-${i % 5}` } }));
      expect((await action.send(records)).every((o) => o.ok)).toBe(true);
      const partitionsByKey = new Map<string, Set<number>>();
      for (const r of await kafka.read(`${p}keyed`, 30))
        partitionsByKey.set(r.key!, (partitionsByKey.get(r.key!) ?? new Set()).add(r.partition));
      expect(partitionsByKey.size).toBe(5);
      for (const partitions of partitionsByKey.values()) expect(partitions.size).toBe(1);
    });

    it('spreads records over partitions with the random strategy', async () => {
      const action = connector.createAction({ topic: `${p}spread`, key: 'same' });
      await action.send(Array.from({ length: 60 }, (_, i) => ({ id: `s${i}`, data: {} })));
      // 60 records on 3 partitions at random all landing on one: probability 3 * (1/3)^60
      const read = await kafka.read(`${p}spread`, 60);
      expect(new Set(read.map((r) => r.partition)).size).toBeGreaterThan(1);
    });

    // The fake decodes with its own codecs (zlib, the lz4 and zstd tools, its own snappy reader),
    // not with the ones the connector registers, so this is not a round trip through one library.
    it.each([
      ['gzip', 1],
      ['snappy', 2],
      ['lz4', 3],
      ['zstd', 4],
    ] as const)('compresses with %s (codec %i) and honours required acks', async (compression, codec) => {
      const topic = `${p}zipped-${compression}`;
      const action = connector.createAction({ topic, compression, requiredAcks: 'leader' });
      // a value long and repetitive enough that every codec really compresses it
      const long = { id: 'm4', data: { text: 'sensor reading '.repeat(400) } };
      expect(await action.send([...batch, long])).toEqual([
        { ok: true },
        { ok: true },
        { ok: true },
        { ok: true },
      ]);
      const read = await kafka.read(topic, 4);
      expect(read.map((r) => r.headers['sluice-id']).sort()).toEqual(['m1', 'm2', 'm3', 'm4']);
      expect(JSON.parse(read.find((r) => r.headers['sluice-id'] === 'm4')!.value!)).toEqual(long.data);
      if (kafka.fake)
        expect(
          kafka.fake.records.filter((r) => r.topic === topic).map((r) => [r.compression, r.acks]),
        ).toEqual(Array.from({ length: 4 }, () => [codec, 1]));
    });

    it('splits by count and bytes, and gathers concurrent sends within lingerMs', async () => {
      const split = connector.createAction({ topic: `${p}split`, maxBatchSize: 2 });
      expect((await split.send(batch)).every((o) => o.ok)).toBe(true);
      await kafka.read(`${p}split`, 3);
      if (kafka.fake) expect(kafka.fake.produceRequests).toBe(2);
      if (kafka.fake) kafka.fake.produceRequests = 0;
      const linger = connector.createAction({ topic: `${p}linger`, lingerMs: 50 });
      const outcomes = await Promise.all(batch.map((r) => linger.send([r])));
      expect(outcomes.flat().every((o) => o.ok)).toBe(true);
      await kafka.read(`${p}linger`, 3);
      if (kafka.fake) expect(kafka.fake.produceRequests).toBe(1);
      if (kafka.fake) kafka.fake.produceRequests = 0;
      const bytes = connector.createAction({ topic: `${p}bytes`, value: '${payload}', maxBatchBytes: 10 });
      expect((await bytes.send(batch)).every((o) => o.ok)).toBe(true);
      await kafka.read(`${p}bytes`, 3);
      if (kafka.fake) expect(kafka.fake.produceRequests).toBe(3);
    });

    // why fake only: a real broker cannot be made to answer a chosen error code on demand
    it.runIf(name.includes('fake'))(
      'fails a rejected produce for good (MESSAGE_TOO_LARGE) and a transient one as retryable',
      async () => {
        const fake = kafka.fake!;
        const action = connector.createAction({ topic: `${p}errors` });
        fake.failProduceWith = 10; // MESSAGE_TOO_LARGE
        const [tooLarge] = await action.send([{ id: 'e1', data: {} }]);
        expect(tooLarge).toMatchObject({ ok: false, retryable: false, code: 'DELIVERY_FAILED' });
        fake.failProduceWith = 7; // REQUEST_TIMED_OUT, retriable
        const [transient] = await action.send([{ id: 'e2', data: {} }]);
        expect(transient).toMatchObject({ ok: false, retryable: true });
        expect(fake.records.filter((r) => r.topic === `${p}errors`)).toHaveLength(0);
      },
    );
  });
}

// Kafka has no server on this machine: the real kafkajs client runs against a wire-level fake broker
// (test/support/fake-kafka), always.
describeKafkaConnector('kafka connector (fake broker)', fakeKafka);

// The same body against a real Kafka, e.g. KAFKA_BROKERS=127.0.0.1:9092. Skipped without it because
// no Kafka server runs on the build machine (Kafka is the one faked server).
describe.skipIf(!process.env['KAFKA_BROKERS'])('real Kafka (KAFKA_BROKERS)', () => {
  describeKafkaConnector('kafka connector (real broker)', () =>
    Promise.resolve(realKafka((process.env['KAFKA_BROKERS'] ?? '').split(',').map((b) => b.trim()))),
  );
});

describe('kafka connector without a broker', () => {
  it('reports a broker that is down: disconnected with the reason, retryable outcomes', async () => {
    const down = createConnector('kafka', {
      brokers: [`127.0.0.1:${await freePort()}`],
      connectTimeoutMs: 1_000,
    });
    try {
      await down.start();
      expect(down.status()).toMatchObject({
        state: 'disconnected',
        reason: expect.stringMatching(/ECONNREFUSED|Connection/),
      });
      const [outcome] = await down.createAction({ topic: 't' }).send([{ id: '1', data: {} }]);
      expect(outcome).toMatchObject({ ok: false, retryable: true, code: 'CONNECTOR_UNAVAILABLE' });
    } finally {
      await down.close();
    }
  });

  it('names the field of a bad config or template', async () => {
    expect(() => createConnector('kafka', { brokers: ['nohost'] })).toThrow(
      expect.objectContaining({ code: 'CONNECTOR_CONFIG_INVALID', field: 'brokers[0]' }),
    );
    const connector = createConnector('kafka', { brokers: ['127.0.0.1:9'] });
    expect(() => connector.createAction({ topic: 't', compression: 'brotli' })).toThrow(
      expect.objectContaining({ field: 'compression' }),
    );
    expect(() => connector.createAction({ topic: 't', key: '${k' })).toThrow(
      expect.objectContaining({ code: 'CONNECTOR_CONFIG_INVALID', field: 'key' }),
    );
    await connector.close();
  });
});
