import { createKafkaSource, type KafkaSource } from '../src/kafka/kafka-source';
import { eventually } from '../../../test/support';
import { FakeKafkaBroker } from '../../../test/support/fake-kafka';
import { RecordingSink } from './source-test-kit';

// Kafka is the one server we fake at the wire level: the real kafkajs consumer
// joins a group, fetches record batches and commits offsets against it.
let broker: FakeKafkaBroker;
const sources: KafkaSource[] = [];

function source(sink: RecordingSink, extra: Record<string, unknown> = {}) {
  const created = createKafkaSource(
    {
      id: 'k1',
      tenant: 'acme',
      brokers: [broker.address],
      topics: ['orders'],
      fromBeginning: true,
      groupId: 'g1',
      ...extra,
    },
    sink.sink,
  );
  sources.push(created);
  return created;
}

beforeEach(async () => {
  broker = await new FakeKafkaBroker(2).start();
});

afterEach(async () => {
  await Promise.all(sources.splice(0).map((s) => s.stop()));
  await broker.close();
});

describe('Kafka source against a wire-level fake broker', () => {
  it('hands every record to the sink and commits the next offset of each partition', async () => {
    broker.append('orders', 0, {
      value: 'a',
      key: 'dev-1',
      timestamp: 1_700_000_000_000,
      headers: { h: '1' },
    });
    broker.append(
      'orders',
      0,
      { value: 'b', timestamp: 1_700_000_000_001 },
      { value: 'c', timestamp: 1_700_000_000_002 },
    );
    broker.append('orders', 1, { value: 'x', timestamp: 1_700_000_000_003 });
    const sink = new RecordingSink();
    const s = source(sink);
    await s.start();
    await eventually(() => expect(sink.payloads().sort()).toEqual(['a', 'b', 'c', 'x']), {
      timeoutMs: 10_000,
    });
    expect(sink.stored.find((m) => m.payload.toString() === 'a')).toMatchObject({
      topic: 'kafka/orders',
      clientid: 'dev-1',
      receivedAt: 1_700_000_000_000,
      properties: { userProperties: [['h', '1']] },
    });
    await eventually(() => {
      expect(broker.committedOffset('g1', 'orders', 0)).toBe(3);
      expect(broker.committedOffset('g1', 'orders', 1)).toBe(1);
    });
    expect(s.status().state).toBe('connected');
  });

  // The fake compresses with its own codecs (zlib, the lz4 and zstd tools, a snappy literal in the
  // Java client's xerial framing), so the source's codecs are checked against other implementations.
  it.each([
    ['gzip', 1],
    ['snappy', 2],
    ['lz4', 3],
    ['zstd', 4],
  ] as const)('reads record batches compressed with %s', async (_name, codec) => {
    broker.fetchCompression = codec;
    const values = Array.from({ length: 20 }, (_, i) => `reading ${i} `.repeat(50 + i));
    broker.append('orders', 0, ...values.map((value, i) => ({ value, timestamp: 1_700_000_000_000 + i })));
    const sink = new RecordingSink();
    await source(sink).start();
    await eventually(() => expect(sink.payloads()).toEqual(values), { timeoutMs: 10_000 });
    await eventually(() => expect(broker.committedOffset('g1', 'orders', 0)).toBe(20));
  });

  it('commits nothing while the sink holds the records, and all once it stored them', async () => {
    broker.append('orders', 0, { value: 'a' }, { value: 'b' });
    const sink = new RecordingSink();
    sink.hold();
    await source(sink).start();
    await eventually(() => expect(sink.calls).toHaveLength(2), { timeoutMs: 10_000 });
    expect(broker.committedOffset('g1', 'orders', 0)).toBeUndefined();
    sink.release();
    await eventually(() => expect(broker.committedOffset('g1', 'orders', 0)).toBe(2));
  });

  it('reads again, under the same ids, what a stopped source never stored', async () => {
    broker.append('orders', 1, { value: 'p' }, { value: 'q' });
    const stuck = new RecordingSink();
    stuck.hold();
    const first = source(stuck, { drainTimeoutMs: 50 });
    await first.start();
    await eventually(() => expect(stuck.calls).toHaveLength(2), { timeoutMs: 10_000 });
    await first.stop();
    expect(broker.committedOffset('g1', 'orders', 1)).toBeUndefined();
    const sink = new RecordingSink();
    await source(sink).start();
    await eventually(() => expect(sink.payloads()).toEqual(['p', 'q']), { timeoutMs: 10_000 });
    expect(sink.stored.map((m) => m.id)).toEqual(stuck.calls.map((m) => m.id));
    await eventually(() => expect(broker.committedOffset('g1', 'orders', 1)).toBe(2));
    stuck.release();
  });
});
