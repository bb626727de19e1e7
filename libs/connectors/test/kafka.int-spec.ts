import { createConnector, type Connector, type DeliveryRecord } from '@sluice/connectors';
import { freePort } from '../../../test/support';
import { FakeKafkaBroker } from './support/fake-kafka-broker';

// Kafka has no server on this machine: the real kafkajs client runs against a wire-level fake
// broker (ApiVersions v0-2, Metadata v0-1, Produce v3), see support/fake-kafka-broker.ts.
describe('kafka connector', () => {
  let broker: FakeKafkaBroker;
  let connector: Connector;

  beforeAll(async () => {
    broker = await new FakeKafkaBroker(3).start();
    connector = createConnector('kafka', { brokers: [broker.address] });
    await connector.start();
  });

  afterAll(async () => {
    await connector.close();
    await broker.close();
  });

  beforeEach(() => {
    broker.records.length = 0;
    broker.produceRequests = 0;
    broker.failProduceWith = undefined;
  });

  const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
  const batch: DeliveryRecord[] = [
    {
      id: 'm1',
      data: { clientid: 'c1', ts: 1700000000000, payload: '{"temp":20}' },
      headers: { traceparent },
    },
    { id: 'm2', data: { clientid: 'c2', ts: 1700000000001, payload: { temp: 21 } } },
    { id: 'm3', data: { clientid: 'c1', ts: 1700000000002, payload: { temp: 22 } } },
  ];

  it('produces a batch in one request with topic, key, value, timestamp and headers', async () => {
    expect(connector.status()).toEqual({ state: 'connected' });
    const action = connector.createAction({
      topic: 'telemetry.${clientid}',
      key: '${clientid}',
      value: '${payload.temp}',
      timestamp: '${ts}',
      headers: { device: '${clientid}' },
    });
    expect(await action.send(batch)).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    expect(broker.produceRequests).toBe(1);
    const got = broker.records.map((r) => [r.topic, r.key, r.value, r.timestamp, r.acks]);
    expect(got.sort()).toEqual([
      ['telemetry.c1', 'c1', '20', 1700000000000, -1],
      ['telemetry.c1', 'c1', '22', 1700000000002, -1],
      ['telemetry.c2', 'c2', '21', 1700000000001, -1],
    ]);
    const first = broker.records.find((r) => r.value === '20')!;
    expect(first.headers).toEqual({ 'sluice-id': 'm1', traceparent, device: 'c1' });
  });

  it('sends the whole rule output as JSON by default, without a key', async () => {
    const action = connector.createAction({ topic: 'raw' });
    expect(await action.send([{ id: 'x', data: { a: 1 } }])).toEqual([{ ok: true }]);
    expect(broker.records).toHaveLength(1);
    expect(JSON.parse(broker.records[0]!.value!)).toEqual({ a: 1 });
    expect(broker.records[0]!.key).toBeNull();
  });

  it('puts records with the same key on the same partition with key_dispatch', async () => {
    const action = connector.createAction({ topic: 'keyed', key: '${k}', partitionStrategy: 'key_dispatch' });
    const records = Array.from({ length: 30 }, (_, i) => ({ id: `r${i}`, data: { k: `key-${i % 5}` } }));
    expect((await action.send(records)).every((o) => o.ok)).toBe(true);
    const partitionsByKey = new Map<string, Set<number>>();
    for (const r of broker.records)
      partitionsByKey.set(r.key!, (partitionsByKey.get(r.key!) ?? new Set()).add(r.partition));
    expect(partitionsByKey.size).toBe(5);
    for (const partitions of partitionsByKey.values()) expect(partitions.size).toBe(1);
  });

  it('spreads records over partitions with the random strategy', async () => {
    const action = connector.createAction({ topic: 'spread', key: 'same' });
    await action.send(Array.from({ length: 60 }, (_, i) => ({ id: `s${i}`, data: {} })));
    // 60 records on 3 partitions at random all landing on one: probability 3 * (1/3)^60
    expect(new Set(broker.records.map((r) => r.partition)).size).toBeGreaterThan(1);
  });

  it('compresses with gzip and honours required acks', async () => {
    const action = connector.createAction({ topic: 'zipped', compression: 'gzip', requiredAcks: 'leader' });
    expect(await action.send(batch)).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    expect(broker.records.map((r) => [r.compression, r.acks])).toEqual([
      [1, 1],
      [1, 1],
      [1, 1],
    ]);
  });

  it('splits by count and gathers concurrent sends within lingerMs into one request', async () => {
    const split = connector.createAction({ topic: 'split', maxBatchSize: 2 });
    expect((await split.send(batch)).every((o) => o.ok)).toBe(true);
    expect(broker.produceRequests).toBe(2);
    broker.produceRequests = 0;
    const linger = connector.createAction({ topic: 'linger', lingerMs: 50 });
    const outcomes = await Promise.all(batch.map((r) => linger.send([r])));
    expect(outcomes.flat().every((o) => o.ok)).toBe(true);
    expect(broker.produceRequests).toBe(1);
    broker.produceRequests = 0;
    const bytes = connector.createAction({ topic: 'bytes', value: '${payload}', maxBatchBytes: 10 });
    expect((await bytes.send(batch)).every((o) => o.ok)).toBe(true);
    expect(broker.produceRequests).toBe(3);
  });

  it('fails a rejected produce for good (MESSAGE_TOO_LARGE) and a transient one as retryable', async () => {
    const action = connector.createAction({ topic: 'errors' });
    broker.failProduceWith = 10; // MESSAGE_TOO_LARGE
    const [tooLarge] = await action.send([{ id: 'e1', data: {} }]);
    expect(tooLarge).toMatchObject({ ok: false, retryable: false, code: 'DELIVERY_FAILED' });
    broker.failProduceWith = 7; // REQUEST_TIMED_OUT, retriable
    const [transient] = await action.send([{ id: 'e2', data: {} }]);
    expect(transient).toMatchObject({ ok: false, retryable: true });
    expect(broker.records).toHaveLength(0);
  });

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

  it('names the field of a bad config or template', () => {
    expect(() => createConnector('kafka', { brokers: ['nohost'] })).toThrow(
      expect.objectContaining({ code: 'CONNECTOR_CONFIG_INVALID', field: 'brokers[0]' }),
    );
    expect(() => connector.createAction({ topic: 't', compression: 'snappy' })).toThrow(
      expect.objectContaining({ field: 'compression' }),
    );
    expect(() => connector.createAction({ topic: 't', key: '${k' })).toThrow(
      expect.objectContaining({ code: 'CONNECTOR_CONFIG_INVALID', field: 'key' }),
    );
  });
});
