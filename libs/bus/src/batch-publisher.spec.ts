import {
  BATCH_HEADER,
  createIngestBatchPublisher,
  createSubjects,
  decodeIngestMessages,
  defaultBusConfig,
  encodeIngestEnvelope,
  InProcessBus,
  type BusConfig,
  type BusMessage,
  type IngestEnvelope,
} from '@sluice/bus';
import { eventually } from '../../../test/support';

const subjects = createSubjects();
const subject = subjects.ingest('acme', 'src');

function envelope(id: string): IngestEnvelope {
  return {
    id,
    tenant: 'acme',
    source: 'src',
    topic: 'sensors/d1',
    payload: Buffer.from(`{"n":"${id}"}`),
    qos: 1,
    retain: false,
    userProperties: [],
    clientid: 'c1',
    username: '',
    peerhost: '',
    receivedAt: 1,
    trace: {},
  };
}

async function setup(config: Partial<BusConfig> = {}) {
  const bus = new InProcessBus(defaultBusConfig(config), subjects);
  await bus.start();
  const received: BusMessage[] = [];
  const consumption = await bus.consume(
    { stream: 'INGEST', durable: 'rules', filterSubject: subjects.ingestAll() },
    async (m) => {
      received.push(m);
      await m.ack();
    },
  );
  return { bus, received, consumption };
}

describe('BatchPublisher', () => {
  it('sends messages handed over in one tick as one stream message, each keeping its id', async () => {
    const { bus, received, consumption } = await setup();
    const batches = createIngestBatchPublisher(bus);
    const ids = ['a', 'b', 'c', 'd', 'e'];
    await Promise.all(ids.map((id) => batches.publish(subject, envelope(id))));
    await eventually(() => expect(received).toHaveLength(1));
    const [message] = received;
    expect(message!.headers[BATCH_HEADER]).toBe('5');
    expect(message!.msgId).toBe('batch:a:e:5');
    expect(decodeIngestMessages(message!).map((e) => e.id)).toEqual(ids);
    await consumption.stop();
    await bus.close();
  });

  it('splits by maxMessages and keeps gathering while every slot is busy, in order', async () => {
    const { bus, received, consumption } = await setup();
    const batches = createIngestBatchPublisher(bus, { maxMessages: 4, maxInFlight: 2 });
    const ids = Array.from({ length: 10 }, (_, i) => `m${i}`);
    await Promise.all(ids.map((id) => batches.publish(subject, envelope(id))));
    await eventually(() => expect(received).toHaveLength(3));
    const decoded = received.map((m) => decodeIngestMessages(m).map((e) => e.id));
    expect(decoded.map((b) => b.length)).toEqual([4, 4, 2]);
    expect(decoded.flat()).toEqual(ids);
    await consumption.stop();
    await bus.close();
  });

  it('caps a batch by its estimated size', async () => {
    const { bus, received, consumption } = await setup();
    // each envelope is estimated at payload + topic + 96 bytes: about 115 here, so two fit in 250
    const batches = createIngestBatchPublisher(bus, { maxBytes: 250, maxInFlight: 8 });
    await Promise.all(['a', 'b', 'c'].map((id) => batches.publish(subject, envelope(id))));
    await eventually(() => expect(received).toHaveLength(2));
    expect(received.map((m) => decodeIngestMessages(m).length)).toEqual([2, 1]);
    await consumption.stop();
    await bus.close();
  });

  it('rejects every message of a batch the stream refused', async () => {
    const bus = new InProcessBus(defaultBusConfig({ SLUICE_BUS_INGEST_MAX_MSGS: 1 }), subjects);
    const batches = createIngestBatchPublisher(bus, { maxMessages: 2, maxInFlight: 1 });
    const results = await Promise.allSettled(
      ['a', 'b', 'c'].map((id) => batches.publish(subject, envelope(id))),
    );
    // first batch [a, b] fills the stream (one stream message); the next batch [c] finds it full
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
    expect((results[2] as PromiseRejectedResult).reason).toMatchObject({ code: 'BUS_FULL' });
    await bus.close();
  });

  it('with a linger, sends the first message at once and holds the next ones until the linger is over', async () => {
    const { bus, received, consumption } = await setup();
    const lingerMs = 150;
    const batches = createIngestBatchPublisher(bus, { lingerMs });
    const started = performance.now();
    const first = batches.publish(subject, envelope('a'));
    await first;
    const firstStored = performance.now() - started;
    const later = Promise.all(['b', 'c', 'd'].map((id) => batches.publish(subject, envelope(id))));
    await later;
    const laterStored = performance.now() - started;
    await eventually(() => expect(received).toHaveLength(2));
    expect(received.map((m) => decodeIngestMessages(m).map((e) => e.id))).toEqual([['a'], ['b', 'c', 'd']]);
    // why these bounds: the first leaves at the end of its turn; the rest no sooner than the linger
    // after it (a timer may fire up to a millisecond early by rounding)
    expect(firstStored).toBeLessThan(lingerMs);
    expect(laterStored).toBeGreaterThanOrEqual(lingerMs - 1);
    await consumption.stop();
    await bus.close();
  });

  it('with a linger, sends a full batch without waiting for it', async () => {
    const { bus, received, consumption } = await setup();
    const batches = createIngestBatchPublisher(bus, { lingerMs: 60_000, maxMessages: 3 });
    await batches.publish(subject, envelope('a'));
    // three more make a full batch: it leaves now, not after a minute
    await Promise.all(['b', 'c', 'd'].map((id) => batches.publish(subject, envelope(id))));
    await eventually(() => expect(received).toHaveLength(2));
    expect(received.map((m) => decodeIngestMessages(m).map((e) => e.id))).toEqual([['a'], ['b', 'c', 'd']]);
    await consumption.stop();
    await bus.close();
  });

  it("takes the bus's linger when not told one", async () => {
    const { bus, received, consumption } = await setup();
    const lingering = Object.assign(Object.create(bus) as InProcessBus, { batching: { lingerMs: 60_000 } });
    const batches = createIngestBatchPublisher(lingering);
    await batches.publish(subject, envelope('a'));
    const held = batches.publish(subject, envelope('b'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(received.map((m) => decodeIngestMessages(m).map((e) => e.id))).toEqual([['a']]);
    // the held message still leaves once enough join it to fill a batch
    await Promise.all([
      held,
      ...Array.from({ length: 99 }, (_, i) => batches.publish(subject, envelope(`f${i}`))),
    ]);
    await eventually(() => expect(received).toHaveLength(2));
    await consumption.stop();
    await bus.close();
  });

  it('decodes a single (unbatched) envelope too', async () => {
    const { bus, received, consumption } = await setup();
    await bus.publish(subject, encodeIngestEnvelope(envelope('solo')), { msgId: 'solo' });
    await eventually(() => expect(received).toHaveLength(1));
    expect(decodeIngestMessages(received[0]!).map((e) => e.id)).toEqual(['solo']);
    await consumption.stop();
    await bus.close();
  });
});
