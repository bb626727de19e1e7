import { connect, headers, type JetStreamManager, type NatsConnection, type PubAck } from 'nats';
import { createNatsSource, type NatsSource } from '../src/nats/nats-source';
import { deleteTestStreams, eventually, freePort, testNamespace, testServers } from '../../../test/support';
import { RecordingSink } from './source-test-kit';

const ns = testNamespace();
const server = testServers.natsUrl;
let nc: NatsConnection;
let jsm: JetStreamManager;
const sources: NatsSource[] = [];

function source(config: Record<string, unknown>, sink: RecordingSink) {
  const created = createNatsSource(
    { id: 'n1', tenant: 'acme', servers: [server], ...config } as never,
    sink.sink,
  );
  sources.push(created);
  return created;
}

beforeAll(async () => {
  nc = await connect({ servers: server });
  jsm = await nc.jetstreamManager();
  await jsm.streams.add({
    name: `${ns.streamPrefix}S`,
    subjects: [`${ns.streamPrefix}js.>`],
    max_bytes: 8 * 1024 * 1024,
  });
});

afterEach(async () => {
  await Promise.all(sources.splice(0).map((s) => s.stop()));
});

afterAll(async () => {
  await nc.close();
  await deleteTestStreams({ prefix: ns.streamPrefix });
});

describe('NATS source, core subjects (at-most-once)', () => {
  it('maps subject, headers and header fields and takes the id from Nats-Msg-Id', async () => {
    const sink = new RecordingSink();
    const s = source(
      { subjects: [`${ns.streamPrefix}core.>`], topicPrefix: 'nats/', headerFields: { clientid: 'device' } },
      sink,
    );
    await s.start();
    const h = headers();
    h.append('device', 'd-1');
    h.append('Nats-Msg-Id', 'm-1');
    nc.publish(`${ns.streamPrefix}core.a.b`, 'one', { headers: h });
    nc.publish(`${ns.streamPrefix}core.a.b`, 'again', { headers: h });
    nc.publish(`${ns.streamPrefix}core.c`, 'plain');
    nc.publish(`${ns.streamPrefix}core.c`, 'plain');
    await eventually(() => expect(sink.stored).toHaveLength(4));
    const [one, again, plain1, plain2] = sink.stored;
    expect(one).toMatchObject({
      topic: `nats/${ns.streamPrefix}core/a/b`,
      payload: Buffer.from('one'),
      qos: 0,
      clientid: 'd-1',
      properties: {
        userProperties: [
          ['device', 'd-1'],
          ['Nats-Msg-Id', 'm-1'],
        ],
      },
    });
    expect(again!.id).toBe(one!.id);
    expect(plain1!.id).not.toBe(plain2!.id);
    expect(s.metrics()).toMatchObject({ received: 4, stored: 4, acked: 0, dropped: 0 });
    expect(s.status()).toEqual({ state: 'connected', connections: 1 });
  });

  it('keeps the subject as it is with topicMapping as-is', async () => {
    const sink = new RecordingSink();
    await source({ subjects: [`${ns.streamPrefix}asis.*`], topicMapping: 'as-is' }, sink).start();
    nc.publish(`${ns.streamPrefix}asis.x`, 'p');
    await eventually(() => expect(sink.stored.map((m) => m.topic)).toEqual([`${ns.streamPrefix}asis.x`]));
  });

  it('counts a message the sink rejected as dropped (sink-failed)', async () => {
    const sink = new RecordingSink();
    sink.failNext = 1;
    const s = source({ subjects: [`${ns.streamPrefix}fail`] }, sink);
    await s.start();
    nc.publish(`${ns.streamPrefix}fail`, 'lost');
    nc.publish(`${ns.streamPrefix}fail`, 'kept');
    await eventually(() => expect(sink.payloads()).toEqual(['kept']));
    expect(s.metrics()).toMatchObject({ received: 2, stored: 1, dropped: 1, sinkFailures: 1 });
    expect(s.metrics().droppedByReason['sink-failed']).toBe(1);
  });

  it('drops what arrives beyond maxInFlight (overload) and counts it', async () => {
    const sink = new RecordingSink();
    sink.hold();
    const s = source({ subjects: [`${ns.streamPrefix}busy`], maxInFlight: 1 }, sink);
    await s.start();
    for (const p of ['a', 'b', 'c']) nc.publish(`${ns.streamPrefix}busy`, p);
    await eventually(() => expect(s.metrics().received).toBe(3));
    sink.release();
    await eventually(() => expect(sink.payloads()).toEqual(['a']));
    expect(s.metrics().droppedByReason.overload).toBe(2);
  });

  it('rejects start() when no server answers', async () => {
    const port = await freePort();
    const s = createNatsSource(
      { id: 'n', tenant: 't', servers: [`nats://127.0.0.1:${port}`], subjects: ['x'] },
      () => Promise.resolve(),
    );
    await expect(s.start()).rejects.toThrow();
    expect(s.status().state).toBe('disconnected');
  });
});

describe('NATS source, JetStream (at-least-once)', () => {
  const stream = `${ns.streamPrefix}S`;
  const js = (durable: string, extra: Record<string, unknown> = {}) => ({
    subjects: [`${ns.streamPrefix}js.${durable}.>`],
    jetstream: { stream, durable, ackWaitMs: 1000, ...extra },
  });

  it('acks after the sink stored; ids come from the stream sequence', async () => {
    const sink = new RecordingSink();
    const s = source(js('d1'), sink);
    await s.start();
    const js1 = nc.jetstream();
    const acks: PubAck[] = [];
    for (const p of ['1', '2', '3']) acks.push(await js1.publish(`${ns.streamPrefix}js.d1.x`, p));
    await eventually(() => expect(sink.payloads()).toEqual(['1', '2', '3']));
    expect(sink.stored[0]).toMatchObject({ topic: `${ns.streamPrefix}js/d1/x`, qos: 1, dup: false });
    expect(new Set(sink.stored.map((m) => m.id)).size).toBe(3);
    await eventually(async () => {
      const info = await jsm.consumers.info(stream, 'd1');
      expect(info.num_ack_pending).toBe(0);
      expect(info.ack_floor.stream_seq).toBe(acks[2]!.seq);
    });
    expect(s.metrics()).toMatchObject({ received: 3, stored: 3, acked: 3 });
  });

  it('naks a message the sink rejected; the redelivery has the same id', async () => {
    const sink = new RecordingSink();
    sink.failNext = 1;
    const s = source(js('d2'), sink);
    await s.start();
    await nc.jetstream().publish(`${ns.streamPrefix}js.d2.x`, 'retry-me');
    await eventually(() => expect(sink.stored).toHaveLength(1));
    expect(sink.calls).toHaveLength(2);
    expect(sink.calls[1]!.id).toBe(sink.calls[0]!.id);
    expect(sink.calls[1]!.dup).toBe(true);
    expect(s.metrics()).toMatchObject({ sinkFailures: 1, stored: 1, acked: 1 });
  });

  it('does not ack before the sink resolved: a restarted source gets the message again, same id', async () => {
    const stuck = new RecordingSink();
    stuck.hold();
    const first = source({ ...js('d3'), drainTimeoutMs: 50 }, stuck);
    await first.start();
    await nc.jetstream().publish(`${ns.streamPrefix}js.d3.x`, 'held');
    await eventually(() => expect(stuck.calls).toHaveLength(1));
    await first.stop();
    const sink = new RecordingSink();
    await source(js('d3'), sink).start();
    await eventually(() => expect(sink.payloads()).toEqual(['held']), { timeoutMs: 10_000 });
    expect(sink.stored[0]!.id).toBe(stuck.calls[0]!.id);
    stuck.release();
  });

  it('takes no more than maxInFlight messages while the sink is slow', async () => {
    const sink = new RecordingSink();
    sink.hold();
    const s = source({ ...js('d4'), maxInFlight: 2 }, sink);
    await s.start();
    for (const p of ['a', 'b', 'c', 'd', 'e']) await nc.jetstream().publish(`${ns.streamPrefix}js.d4.x`, p);
    await eventually(async () => {
      const info = await jsm.consumers.info(stream, 'd4');
      expect(info.num_ack_pending).toBe(2);
      expect(info.num_pending).toBe(3);
    });
    expect(sink.calls).toHaveLength(2);
    sink.release();
    await eventually(() => expect(sink.payloads()).toEqual(['a', 'b', 'c', 'd', 'e']));
  });

  it('rejects start() for a missing consumer it may not create', async () => {
    const s = createNatsSource(
      {
        id: 'n',
        tenant: 't',
        servers: [server],
        subjects: ['x'],
        jetstream: { stream, durable: 'nope', create: false },
      },
      () => Promise.resolve(),
    );
    await expect(s.start()).rejects.toThrow(/consumer not found/i);
  });
});
