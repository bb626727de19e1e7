import {
  BATCH_HEADER,
  createSubjects,
  decodeDeadLetter,
  decodeIngestMessages,
  defaultBusConfig,
  InProcessBus,
  type BusMessage,
} from '@sluice/bus';
import { createIngestSink } from '@sluice/pipeline';
import { MessageRejectedError, type IngestedMessage } from '@sluice/sources';
import { SluiceMetrics } from '@sluice/telemetry';
import { eventually } from '../../../test/support';

const subjects = createSubjects('T_sink_');

function message(id: string, qos: 0 | 1 = 1): IngestedMessage {
  return {
    id,
    topic: `sensors/${id}`,
    payload: Buffer.from(`{"n":"${id}"}`),
    qos,
    retain: false,
    dup: false,
    receivedAt: 1_700_000_000_000,
  };
}

/** Lets the batch publisher send what it was handed so far (it gathers until the end of the turn). */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

async function metricValue(metrics: SluiceMetrics, name: string): Promise<number> {
  const metric = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === name);
  return (metric?.values ?? []).reduce((sum, v) => sum + Number(v.value), 0);
}

async function ingestBus(config: Parameters<typeof defaultBusConfig>[0] = {}) {
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

describe('createIngestSink', () => {
  it('stores the messages handed over while a batch is out as one batch envelope, each with its own id', async () => {
    const { bus, received, consumption } = await ingestBus();
    const metrics = new SluiceMetrics();
    const sink = createIngestSink(bus, subjects, 'acme', 'devices', metrics, { maxInFlight: 1 });
    // the first goes out alone at the end of its turn (light traffic waits for nothing); the rest gather behind it
    const first = sink(message('m0'));
    await nextTurn();
    const rest = ['m1', 'm2', 'm3'].map((id) => sink(message(id, id === 'm3' ? 0 : 1)));
    await Promise.all([first, ...rest]);
    await eventually(() => expect(received).toHaveLength(2));
    expect(received.map((m) => m.subject)).toEqual([
      subjects.ingest('acme', 'devices'),
      subjects.ingest('acme', 'devices'),
    ]);
    expect(received.map((m) => m.headers[BATCH_HEADER])).toEqual(['1', '3']);
    const envelopes = received.flatMap((m) => decodeIngestMessages(m));
    expect(envelopes.map((e) => [e.id, e.topic, e.qos, e.tenant, e.source])).toEqual([
      ['m0', 'sensors/m0', 1, 'acme', 'devices'],
      ['m1', 'sensors/m1', 1, 'acme', 'devices'],
      ['m2', 'sensors/m2', 1, 'acme', 'devices'],
      ['m3', 'sensors/m3', 0, 'acme', 'devices'],
    ]);
    expect(Buffer.from(envelopes[2]!.payload).toString()).toBe('{"n":"m2"}');
    // the counters are added up once per event-loop turn
    await eventually(async () => {
      expect(await metricValue(metrics, 'sluice_source_messages_received_total')).toBe(4);
      expect(await metricValue(metrics, 'sluice_source_messages_stored_total')).toBe(4);
    });
    // the batch-size histogram saw a batch of 1 and one of 3
    const text = await metrics.render();
    expect(text).toContain('sluice_bus_batch_messages_count{stream="INGEST"} 2');
    expect(text).toContain('sluice_bus_batch_messages_sum{stream="INGEST"} 4');
    expect(text).toContain('sluice_bus_batch_messages_bucket{le="2",stream="INGEST"} 1');
    await consumption.stop();
    await bus.close();
  });

  it('keeps MQTT 5 properties and the publisher fields of each message inside the batch', async () => {
    const { bus, received, consumption } = await ingestBus();
    const sink = createIngestSink(bus, subjects, 'acme', 'devices');
    await sink({
      ...message('p1'),
      clientid: 'dev-7',
      username: 'alice',
      properties: { contentType: 'application/json', userProperties: [['site', 'north']] },
    });
    await eventually(() => expect(received).toHaveLength(1));
    const [envelope] = decodeIngestMessages(received[0]!);
    expect(envelope).toMatchObject({
      id: 'p1',
      clientid: 'dev-7',
      username: 'alice',
      contentType: 'application/json',
      userProperties: [{ key: 'site', value: 'north' }],
    });
    await consumption.stop();
    await bus.close();
  });

  it('rejects every message of a batch the stream refused, counting store failures and nothing stored', async () => {
    // a stream that holds one message: the first batch fills it, the second is refused whole
    const bus = new InProcessBus(defaultBusConfig({ SLUICE_BUS_INGEST_MAX_MSGS: 1 }), subjects);
    await bus.start();
    const metrics = new SluiceMetrics();
    const sink = createIngestSink(bus, subjects, 'acme', 'devices', metrics, { maxInFlight: 1 });
    const first = sink(message('a'));
    await nextTurn();
    const results = await Promise.allSettled([first, sink(message('b')), sink(message('c'))]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'BUS_FULL' });
    await eventually(async () => {
      expect(await metricValue(metrics, 'sluice_source_messages_stored_total')).toBe(1);
      expect(await metricValue(metrics, 'sluice_source_store_failures_total')).toBe(2);
    });
    await bus.close();
  });

  describe('a message larger than the bus takes', () => {
    const big = (id: string): IngestedMessage => ({ ...message(id), payload: Buffer.alloc(6_000, 'x') });

    it('is dead-lettered with its head and code, then rejected for good; the others are stored', async () => {
      const { bus, received, consumption } = await ingestBus();
      const letters: BusMessage[] = [];
      const dlq = await bus.consume(
        { stream: 'DLQ', durable: 'ops', filterSubject: subjects.dlqAll() },
        async (m) => {
          letters.push(m);
          await m.ack();
        },
      );
      const sink = createIngestSink(bus, subjects, 'acme', 'devices', undefined, undefined, 5_000);
      const results = await Promise.allSettled([sink(message('small')), sink(big('huge'))]);
      expect(results[0].status).toBe('fulfilled');
      const reason = (results[1] as PromiseRejectedResult).reason as MessageRejectedError;
      expect(reason).toBeInstanceOf(MessageRejectedError);
      expect(reason.code).toBe('INGEST_MESSAGE_TOO_LARGE');
      expect(reason.message).toContain("'sensors/huge'");
      await eventually(() => expect(letters).toHaveLength(1));
      expect(letters[0]!.subject).toBe(subjects.dlq('acme', '_ingest'));
      const letter = decodeDeadLetter(letters[0]!.data);
      expect(letter.errorCode).toBe('INGEST_MESSAGE_TOO_LARGE');
      expect(letter.errorMessage).toContain('SLUICE_INGEST_MAX_MESSAGE_BYTES (5000)');
      expect(letter.raw).toHaveLength(4096);
      await eventually(() => expect(received).toHaveLength(1));
      expect(decodeIngestMessages(received[0]!).map((e) => e.id)).toEqual(['small']);
      await Promise.all([dlq.stop(), consumption.stop()]);
      await bus.close();
    });

    it('is not rejected for good when its dead letter cannot be stored (so it is retried)', async () => {
      // a bus whose DLQ is unreachable, as when NATS refuses that stream's writes
      class NoDlqBus extends InProcessBus {
        override publish(subject: string, data: Uint8Array, options: { msgId: string }): Promise<void> {
          if (subject.startsWith(subjects.dlqAll().slice(0, -1))) {
            return Promise.reject(new Error('DLQ unavailable'));
          }
          return super.publish(subject, data, options);
        }
      }
      const bus = new NoDlqBus(defaultBusConfig({}), subjects);
      await bus.start();
      const sink = createIngestSink(bus, subjects, 'acme', 'devices', undefined, undefined, 5_000);
      const error = await sink(big('huge')).catch((e: unknown) => e);
      expect(error).not.toBeInstanceOf(MessageRejectedError);
      expect(error).toMatchObject({ message: 'DLQ unavailable' });
      await bus.close();
    });
  });
});
