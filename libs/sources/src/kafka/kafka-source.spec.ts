import type { EachMessagePayload, IHeaders, KafkaMessage, TopicPartitionOffsetAndMetadata } from 'kafkajs';
import { SourceConfigError, type IngestedMessage } from '../index';
import { createKafkaSource } from './kafka-source';
import { type KafkaConsumerEvent, type KafkaConsumerLike } from './kafka-consumer';
import { eventually } from '../../../../test/support';

type Run = Parameters<KafkaConsumerLike['run']>[0];

/** A typed fake of the consumer: records what the source asks of it; tests push records through it. */
class FakeConsumer implements KafkaConsumerLike {
  readonly commits: TopicPartitionOffsetAndMetadata[][] = [];
  readonly pauses: { topic: string; partitions?: number[] }[][] = [];
  readonly resumes: { topic: string; partitions?: number[] }[][] = [];
  subscribed?: { topics: (string | RegExp)[]; fromBeginning?: boolean };
  runConfig?: Run;
  disconnected = false;
  failCommits = 0;
  private readonly listeners = new Map<KafkaConsumerEvent, ((event: { payload: unknown }) => void)[]>();

  connect = () => Promise.resolve();
  subscribe(subscription: { topics: (string | RegExp)[]; fromBeginning?: boolean }) {
    this.subscribed = subscription;
    return Promise.resolve();
  }
  run(config: Run) {
    this.runConfig = config;
    return Promise.resolve();
  }
  commitOffsets(offsets: TopicPartitionOffsetAndMetadata[]) {
    if (this.failCommits > 0) {
      this.failCommits -= 1;
      return Promise.reject(new Error('coordinator not available'));
    }
    this.commits.push(offsets);
    return Promise.resolve();
  }
  pause(topics: { topic: string; partitions?: number[] }[]) {
    this.pauses.push(topics);
  }
  resume(topics: { topic: string; partitions?: number[] }[]) {
    this.resumes.push(topics);
  }
  disconnect() {
    this.disconnected = true;
    return Promise.resolve();
  }
  on(event: KafkaConsumerEvent, listener: (event: { payload: unknown }) => void) {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return () => undefined;
  }
  fire(event: KafkaConsumerEvent, payload: unknown) {
    for (const listener of this.listeners.get(event) ?? []) listener({ payload });
  }
  /** Delivers a record the way the kafkajs runner does. */
  async deliver(
    topic: string,
    partition: number,
    record: { offset: string; key?: Buffer | null; timestamp?: string; headers?: IHeaders },
  ) {
    const message: KafkaMessage = {
      key: record.key ?? null,
      value: Buffer.from(`v${record.offset}`),
      timestamp: record.timestamp ?? '0',
      attributes: 0,
      offset: record.offset,
      headers: record.headers ?? {},
    };
    const payload: EachMessagePayload = {
      topic,
      partition,
      message,
      heartbeat: () => Promise.resolve(),
      pause: () => () => undefined,
    };
    await this.runConfig!.eachMessage(payload);
  }
  /** Committed offsets flattened to "topic/partition@offset". */
  committed(): string[] {
    return this.commits.flat().map((c) => `${c.topic}/${c.partition}@${c.offset}`);
  }
}

/** A sink whose every call waits until the test settles it by offset (value `v<offset>`). */
class ControlledSink {
  readonly calls: IngestedMessage[] = [];
  private readonly pending = new Map<string, { resolve: () => void; reject: (e: Error) => void }[]>();
  sink = (message: IngestedMessage) => {
    this.calls.push(message);
    return new Promise<void>((resolve, reject) => {
      const key = message.payload.toString();
      this.pending.set(key, [...(this.pending.get(key) ?? []), { resolve, reject }]);
    });
  };
  resolve(value: string) {
    const waiting = this.pending.get(value)?.shift();
    if (!waiting) throw new Error(`no pending sink call for ${value}`);
    waiting.resolve();
  }
  reject(value: string) {
    this.pending.get(value)?.shift()?.reject(new Error('store down'));
  }
}

const base = { id: 'k1', tenant: 'acme', brokers: ['127.0.0.1:9092'], topics: ['orders'] };

async function started(overrides: Record<string, unknown> = {}) {
  const consumer = new FakeConsumer();
  const sink = new ControlledSink();
  const source = createKafkaSource({ ...base, ...overrides }, sink.sink, { consumerFactory: () => consumer });
  await source.start();
  consumer.fire('consumer.group_join', { memberAssignment: { orders: [0, 1] } });
  return { consumer, sink, source };
}

describe('Kafka source: ordered commits', () => {
  it('runs with autoCommit off and subscribes to the configured topics', async () => {
    const { consumer, source } = await started({ fromBeginning: true });
    expect(consumer.runConfig?.autoCommit).toBe(false);
    expect(consumer.subscribed).toEqual({ topics: ['orders'], fromBeginning: true });
    expect(source.status()).toEqual({ state: 'connected', connections: 1 });
  });

  it('commits an offset only when it and every earlier offset of the partition are stored', async () => {
    const { consumer, sink } = await started();
    for (const offset of ['10', '11', '12']) await consumer.deliver('orders', 0, { offset });
    sink.resolve('v12');
    sink.resolve('v11');
    await new Promise((resolve) => setImmediate(resolve));
    expect(consumer.committed()).toEqual([]);
    sink.resolve('v10');
    // 10, 11 and 12 are all stored: the next offset to read is 13.
    await eventually(() => expect(consumer.committed()).toEqual(['orders/0@13']));
  });

  it('commits each partition on its own', async () => {
    const { consumer, sink, source } = await started();
    await consumer.deliver('orders', 0, { offset: '5' });
    await consumer.deliver('orders', 1, { offset: '7' });
    sink.resolve('v7');
    await eventually(() => expect(consumer.committed()).toEqual(['orders/1@8']));
    expect(source.metrics()).toMatchObject({ received: 2, stored: 1, acked: 1, inFlight: 1 });
  });

  it('retries a failed sink and commits only after it stored', async () => {
    const { consumer, sink, source } = await started();
    await consumer.deliver('orders', 0, { offset: '0' });
    sink.reject('v0');
    await eventually(() => expect(sink.calls).toHaveLength(2));
    expect(consumer.committed()).toEqual([]);
    // The retry carries the same id, so a store that did take the first attempt de-duplicates it.
    expect(sink.calls[1]!.id).toBe(sink.calls[0]!.id);
    sink.resolve('v0');
    await eventually(() => expect(consumer.committed()).toEqual(['orders/0@1']));
    expect(source.metrics().sinkFailures).toBe(1);
  });

  it('tries a refused commit again', async () => {
    const { consumer, sink } = await started();
    consumer.failCommits = 1;
    await consumer.deliver('orders', 0, { offset: '3' });
    sink.resolve('v3');
    await eventually(() => expect(consumer.committed()).toEqual(['orders/0@4']), { timeoutMs: 5_000 });
  });

  it('does not commit what a previous generation had in flight after a rebalance', async () => {
    const { consumer, sink } = await started();
    await consumer.deliver('orders', 0, { offset: '20' });
    consumer.fire('consumer.group_join', { memberAssignment: { orders: [0] } });
    sink.resolve('v20');
    await consumer.deliver('orders', 0, { offset: '21' });
    sink.resolve('v21');
    await eventually(() => expect(consumer.committed()).toEqual(['orders/0@22']));
  });

  it('pauses the partition at maxInFlight and resumes when a record is stored', async () => {
    const { consumer, sink } = await started({ maxInFlight: 2 });
    await consumer.deliver('orders', 0, { offset: '0' });
    expect(consumer.pauses).toEqual([]);
    await consumer.deliver('orders', 0, { offset: '1' });
    expect(consumer.pauses).toEqual([[{ topic: 'orders', partitions: [0] }]]);
    sink.resolve('v0');
    await eventually(() => expect(consumer.resumes).toEqual([[{ topic: 'orders', partitions: [0] }]]));
  });

  it('resumes a partition paused before a rebalance once the old record settles', async () => {
    const { consumer, sink } = await started({ maxInFlight: 1 });
    await consumer.deliver('orders', 0, { offset: '0' });
    expect(consumer.pauses).toEqual([[{ topic: 'orders', partitions: [0] }]]);
    consumer.fire('consumer.group_join', { memberAssignment: { orders: [0] } });
    sink.resolve('v0');
    await eventually(() => expect(consumer.resumes).toEqual([[{ topic: 'orders', partitions: [0] }]]));
    // Stored, but by the old generation: the partition is read again from its last commit.
    expect(consumer.committed()).toEqual([]);
  });

  it('stop() pauses, waits for in-flight records, commits them and disconnects', async () => {
    const { consumer, sink, source } = await started();
    await consumer.deliver('orders', 1, { offset: '40' });
    const stopped = source.stop();
    await eventually(() => expect(consumer.pauses).toEqual([[{ topic: 'orders' }]]));
    expect(consumer.disconnected).toBe(false);
    sink.resolve('v40');
    await stopped;
    expect(consumer.committed()).toEqual(['orders/1@41']);
    expect(consumer.disconnected).toBe(true);
    expect(source.status().state).toBe('disconnected');
  });

  it('stop() gives up after drainTimeoutMs without committing the stuck record', async () => {
    const { consumer, source } = await started({ drainTimeoutMs: 50 });
    await consumer.deliver('orders', 0, { offset: '1' });
    await source.stop();
    expect(consumer.committed()).toEqual([]);
    expect(consumer.disconnected).toBe(true);
  });

  it('reports a crash as disconnected with its reason', async () => {
    const { consumer, source } = await started();
    consumer.fire('consumer.crash', { error: new Error('broker gone'), restart: true });
    expect(source.status()).toEqual({ state: 'disconnected', reason: 'broker gone', connections: 0 });
    expect(source.metrics().reconnects).toBe(1);
  });
});

describe('Kafka source: record mapping', () => {
  it('maps topic, key, headers and timestamp onto the MQTT-shaped message', async () => {
    const { consumer, sink } = await started({ topicTemplate: 'k/{topic}/{partition}' });
    await consumer.deliver('orders', 1, {
      offset: '9',
      key: Buffer.from('device-7'),
      timestamp: '1700000000123',
      headers: { trace: Buffer.from('abc'), multi: ['a', Buffer.from('b')] },
    });
    expect(sink.calls[0]).toMatchObject({
      topic: 'k/orders/1',
      payload: Buffer.from('v9'),
      clientid: 'device-7',
      qos: 1,
      receivedAt: 1700000000123,
      properties: {
        userProperties: [
          ['trace', 'abc'],
          ['multi', 'a'],
          ['multi', 'b'],
        ],
      },
    });
  });

  it('puts the key in a user property when asked, and defaults the topic to kafka/<topic>', async () => {
    const { consumer, sink } = await started({ key: { userProperty: 'kafka_key' } });
    await consumer.deliver('orders', 0, { offset: '1', key: Buffer.from('k1') });
    expect(sink.calls[0]!.topic).toBe('kafka/orders');
    expect(sink.calls[0]!.clientid).toBeUndefined();
    expect(sink.calls[0]!.properties?.userProperties).toEqual([['kafka_key', 'k1']]);
  });

  it('gives a record read again the same id, and other offsets or sources other ids', async () => {
    const first = await started();
    await first.consumer.deliver('orders', 0, { offset: '5' });
    await first.consumer.deliver('orders', 0, { offset: '6' });
    const again = await started();
    await again.consumer.deliver('orders', 0, { offset: '5' });
    const other = await started({ id: 'k2' });
    await other.consumer.deliver('orders', 0, { offset: '5' });
    const [five, six] = first.sink.calls;
    expect(again.sink.calls[0]!.id).toBe(five!.id);
    expect(six!.id).not.toBe(five!.id);
    expect(other.sink.calls[0]!.id).not.toBe(five!.id);
  });

  it('uses the read time when the record has no timestamp', async () => {
    const { consumer, sink } = await started();
    const before = Date.now();
    await consumer.deliver('orders', 0, { offset: '1', timestamp: '-1' });
    expect(sink.calls[0]!.receivedAt).toBeGreaterThanOrEqual(before);
  });
});

describe('Kafka source: configuration', () => {
  const problems = (input: Record<string, unknown>) => {
    try {
      createKafkaSource(input as never, () => Promise.resolve(), {
        consumerFactory: () => new FakeConsumer(),
      });
    } catch (error) {
      expect(error).toBeInstanceOf(SourceConfigError);
      return (error as SourceConfigError).problems.map((p) => `${p.field}: ${p.problem}`);
    }
    throw new Error('expected a SourceConfigError');
  };

  it('names every bad field', () => {
    expect(
      problems({ id: 'k', tenant: 't', brokers: ['nohost'], topics: ['a'], topicTemplate: 'x/{offset}' }),
    ).toEqual([
      'brokers.0: expected host:port',
      'topicTemplate: unknown placeholder {offset}; use {topic} or {partition}',
      'topicTemplate: expected {topic} in the template',
    ]);
  });

  it('wants topics, a topicRegex or both', () => {
    expect(problems({ id: 'k', tenant: 't', brokers: ['h:1'] })).toEqual([
      'topics: expected topics, topicRegex or both',
    ]);
    expect(problems({ id: 'k', tenant: 't', brokers: ['h:1'], topicRegex: '(' })[0]).toMatch(
      /^topicRegex: not a regular expression/,
    );
  });

  it('subscribes to the listed topics and the regex', async () => {
    const consumer = new FakeConsumer();
    const source = createKafkaSource(
      { id: 'k', tenant: 't', brokers: ['h:1'], topics: ['audit'], topicRegex: '^orders-.*' },
      () => Promise.resolve(),
      { consumerFactory: () => consumer },
    );
    await source.start();
    expect(consumer.subscribed?.topics).toEqual(['audit', /^orders-.*/]);
  });
});
