import { connect, DiscardPolicy, RetentionPolicy, StorageType, type NatsConnection } from 'nats';
import {
  createSubjects,
  defaultBusConfig,
  deleteBusStreams,
  JetStreamBus,
  type BusConfig,
} from '@sluice/bus';
import { eventually, freePort, testNamespace, testServers } from '../../../test/support';
import { describeBusContract } from './bus-contract';
import { TcpProxy } from './tcp-proxy';

const ns = testNamespace();
let admin: NatsConnection;
let counter = 0;
const created = new Set<string>();

// why small: JetStream reserves each file stream's max_bytes on the server's store up front
const testLimits = {
  SLUICE_BUS_INGEST_MAX_BYTES: 8 * 1024 * 1024,
  SLUICE_BUS_ACTIONS_MAX_BYTES: 8 * 1024 * 1024,
  SLUICE_BUS_DLQ_MAX_BYTES: 8 * 1024 * 1024,
} satisfies Partial<BusConfig>;

/** A bus in its own namespace, so each test starts with empty streams. */
function makeBus(overrides: Partial<BusConfig> = {}, namespace = `${ns.streamPrefix}${counter++}_`) {
  const subjects = createSubjects(namespace);
  for (const name of ['INGEST', 'ACTIONS', 'DLQ'] as const) created.add(subjects.stream(name));
  const config = defaultBusConfig({ SLUICE_NATS_URL: testServers.natsUrl, ...testLimits, ...overrides });
  const bus = new JetStreamBus(config, subjects);
  return { bus, subjects, namespace };
}

beforeAll(async () => {
  admin = await connect({ servers: testServers.natsUrl });
});

afterAll(async () => {
  const jsm = await admin.jetstreamManager();
  for (const name of created) await jsm.streams.delete(name).catch(() => false);
  await admin.close();
});

describeBusContract(
  'JetStreamBus',
  async () => {
    const { bus, subjects, namespace } = makeBus();
    await bus.start();
    return {
      bus,
      subjects,
      ingestCount: async () => (await bus.streamSize('INGEST')).messages,
      dispose: async () => {
        await bus.close();
        await deleteBusStreams(testServers.natsUrl, namespace);
      },
    };
  },
  { maxMessages: 1_000_000, maxBytes: testLimits.SLUICE_BUS_INGEST_MAX_BYTES },
);

describe('JetStreamBus streams and server behaviour', () => {
  it('creates the streams with the configured limits, idempotently, and updates changed limits', async () => {
    const namespace = `${ns.streamPrefix}limits_`;
    const first = makeBus(
      { SLUICE_BUS_INGEST_MAX_BYTES: 10 * 1024 * 1024, SLUICE_BUS_DUPLICATE_WINDOW_MS: 60_000 },
      namespace,
    );
    await first.bus.start();
    const jsm = await admin.jetstreamManager();
    const ingest = await jsm.streams.info(`${namespace}INGEST`);
    expect(ingest.config.subjects).toEqual([`${namespace}sluice.ingest.>`]);
    expect(ingest.config.retention).toBe(RetentionPolicy.Workqueue);
    expect(ingest.config.discard).toBe(DiscardPolicy.New);
    expect(ingest.config.storage).toBe(StorageType.File);
    expect(ingest.config.max_bytes).toBe(10 * 1024 * 1024);
    expect(ingest.config.max_msgs).toBe(1_000_000);
    expect(ingest.config.max_age).toBe(72 * 3600 * 1e9);
    expect(ingest.config.duplicate_window).toBe(60 * 1e9);
    const dlq = await jsm.streams.info(`${namespace}DLQ`);
    expect(dlq.config.max_bytes).toBe(8 * 1024 * 1024);
    expect(dlq.config.retention).toBe(RetentionPolicy.Limits);
    expect(dlq.config.discard).toBe(DiscardPolicy.Old);
    expect(dlq.config.max_age).toBe(14 * 24 * 3600 * 1e9);

    // a second replica starting with the same settings changes nothing; one with new limits updates them
    await first.bus.publish(first.subjects.ingest('acme', 's'), new Uint8Array([1]), { msgId: 'kept' });
    const second = makeBus({ SLUICE_BUS_INGEST_MAX_BYTES: 12 * 1024 * 1024 }, namespace);
    await second.bus.start();
    const updated = await jsm.streams.info(`${namespace}INGEST`);
    expect(updated.config.max_bytes).toBe(12 * 1024 * 1024);
    expect(updated.state.messages).toBe(1);
    await Promise.all([first.bus.close(), second.bus.close()]);
  });

  it('creates durable consumers with explicit ack and the asked limits', async () => {
    const { bus, subjects } = makeBus();
    await bus.start();
    const c = await bus.consume(
      {
        stream: 'ACTIONS',
        durable: 'delivery_acme_http',
        filterSubject: subjects.actions('acme', 'http'),
        maxAckPending: 7,
        ackWaitMs: 4_000,
        maxDeliver: 9,
      },
      (m) => m.ack(),
    );
    const jsm = await admin.jetstreamManager();
    const info = await jsm.consumers.info(subjects.stream('ACTIONS'), 'delivery_acme_http');
    expect(info.config.ack_policy).toBe('explicit');
    expect(info.config.max_ack_pending).toBe(7);
    expect(info.config.ack_wait).toBe(4_000 * 1e6);
    expect(info.config.max_deliver).toBe(9);
    expect(info.config.filter_subject).toBe(subjects.actions('acme', 'http'));
    await c.stop();
    // the same durable again, with a wider window: updated in place
    const again = await bus.consume(
      {
        stream: 'ACTIONS',
        durable: 'delivery_acme_http',
        filterSubject: subjects.actions('acme', 'http'),
        maxAckPending: 50,
      },
      (m) => m.ack(),
    );
    expect(
      (await jsm.consumers.info(subjects.stream('ACTIONS'), 'delivery_acme_http')).config.max_ack_pending,
    ).toBe(50);
    await again.stop();
    await bus.close();
  });

  it('de-duplicates by Nats-Msg-Id on the server', async () => {
    const { bus, subjects } = makeBus();
    await bus.start();
    const subject = subjects.ingest('acme', 's');
    await Promise.all([1, 2, 3].map(() => bus.publish(subject, new Uint8Array([7]), { msgId: 'same-id' })));
    const jsm = await admin.jetstreamManager();
    const info = await jsm.streams.info(subjects.stream('INGEST'));
    expect(info.state.messages).toBe(1);
    const stored = await jsm.streams.getMessage(subjects.stream('INGEST'), { seq: info.state.first_seq });
    expect(stored.header.get('Nats-Msg-Id')).toBe('same-id');
    await bus.close();
  });

  it('rejects a publish with BUS_FULL when the stream is at its limit (discard new)', async () => {
    const { bus, subjects } = makeBus({ SLUICE_BUS_INGEST_MAX_MSGS: 2 });
    await bus.start();
    const subject = subjects.ingest('acme', 's');
    await bus.publish(subject, new Uint8Array([1]), { msgId: '1' });
    await bus.publish(subject, new Uint8Array([2]), { msgId: '2' });
    await expect(bus.publish(subject, new Uint8Array([3]), { msgId: '3' })).rejects.toMatchObject({
      code: 'BUS_FULL',
      message: expect.stringMatching(/maximum messages exceeded/) as string,
    });
    await bus.close();
  });

  it('deleteBusStreams removes a namespace and refuses the empty one', async () => {
    const { bus, namespace } = makeBus();
    await bus.start();
    await bus.close();
    await deleteBusStreams(testServers.natsUrl, namespace);
    const jsm = await admin.jetstreamManager();
    await expect(jsm.streams.info(`${namespace}INGEST`)).rejects.toThrow(/not found/);
    await expect(deleteBusStreams(testServers.natsUrl, '')).rejects.toMatchObject({
      code: 'BUS_INVALID_SUBJECT_TOKEN',
    });
  });

  it('fails start and publish clearly when nothing listens at the NATS URL', async () => {
    const port = await freePort();
    const { bus, subjects } = makeBus({ SLUICE_NATS_URL: `nats://127.0.0.1:${port}` });
    await expect(bus.start()).rejects.toMatchObject({
      code: 'BUS_UNAVAILABLE',
      message: expect.stringContaining(`cannot connect to NATS at nats://127.0.0.1:${port}`) as string,
    });
    expect(bus.health()).toMatchObject({ status: 'down' });
    await expect(
      bus.publish(subjects.ingest('a', 'b'), new Uint8Array(), { msgId: 'x' }),
    ).rejects.toMatchObject({
      code: 'BUS_UNAVAILABLE',
    });
  });

  it('reports down and fails publishes at once while NATS is unreachable, then recovers', async () => {
    const nats = new URL(testServers.natsUrl);
    const proxy = new TcpProxy(await freePort(), { host: nats.hostname, port: Number(nats.port || 4222) });
    await proxy.start();
    const { bus, subjects } = makeBus({
      SLUICE_NATS_URL: `nats://127.0.0.1:${proxy.port}`,
      SLUICE_BUS_PUBLISH_TIMEOUT_MS: 2_000,
    });
    await bus.start();
    const subject = subjects.ingest('acme', 's');
    const consumed: string[] = [];
    const consumption = await bus.consume(
      { stream: 'INGEST', durable: 'rules', filterSubject: subjects.ingestAll() },
      async (m) => {
        consumed.push(m.msgId);
        await m.ack();
      },
    );
    await bus.publish(subject, new Uint8Array([1]), { msgId: 'before' });
    await eventually(() => expect(consumed).toEqual(['before']));
    expect(bus.health().status).toBe('up');

    await proxy.stop();
    await eventually(() =>
      expect(bus.health()).toMatchObject({ status: 'down', detail: expect.stringContaining('reconnecting') }),
    );
    await expect(bus.publish(subject, new Uint8Array([2]), { msgId: 'during' })).rejects.toMatchObject({
      code: 'BUS_UNAVAILABLE',
      message: expect.stringContaining('disconnected') as string,
    });

    await proxy.start();
    await eventually(() => expect(bus.health().status).toBe('up'), { timeoutMs: 15_000 });
    await bus.publish(subject, new Uint8Array([3]), { msgId: 'after' });
    // the consumer started before the outage picks up again by itself
    await eventually(() => expect(consumed).toEqual(['before', 'after']), { timeoutMs: 30_000 });
    await consumption.stop();
    await bus.close();
    await proxy.stop();
  });

  it('close() lets a running handler finish and ack before draining', async () => {
    const { bus, subjects } = makeBus();
    await bus.start();
    await bus.publish(subjects.ingest('acme', 's'), new Uint8Array([1]), { msgId: 'drain-me' });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started = false;
    let acked = false;
    await bus.consume(
      { stream: 'INGEST', durable: 'rules', filterSubject: subjects.ingestAll() },
      async (m) => {
        started = true;
        await gate;
        await m.ack();
        acked = true;
      },
    );
    await eventually(() => expect(started).toBe(true));
    const closing = bus.close();
    release();
    await closing;
    expect(acked).toBe(true);
    const jsm = await admin.jetstreamManager();
    expect((await jsm.streams.info(subjects.stream('INGEST'))).state.messages).toBe(0);
  });
});

describe('JetStreamBus stop hands pulled messages back at once', () => {
  it('another consumer of the durable gets what the stopped one had pulled, well before ackWait', async () => {
    const { bus, subjects } = makeBus();
    await bus.start();
    const subject = subjects.ingest('acme', 's');
    const total = 400;
    await Promise.all(
      Array.from({ length: total }, (_, i) =>
        bus.publish(subject, new Uint8Array([i % 256]), { msgId: `m${i}` }),
      ),
    );
    const options = {
      stream: 'INGEST' as const,
      durable: 'rules',
      filterSubject: subjects.ingestAll(),
      maxAckPending: 64,
      ackWaitMs: 30_000,
    };
    const acked = new Set<string>();
    const first = await bus.consume(options, async (m) => {
      await new Promise((resolve) => setTimeout(resolve, 2));
      await m.ack();
      acked.add(m.msgId);
    });
    await eventually(() => expect(acked.size).toBeGreaterThan(50));
    await first.stop();
    const byFirst = acked.size;
    const second = await bus.consume(options, async (m) => {
      await m.ack();
      acked.add(m.msgId);
    });
    // why 5 s: a message left to wait out the ack wait would come back only after 30 s
    await eventually(() => expect(acked.size).toBe(total), { timeoutMs: 5_000 });
    expect(byFirst).toBeLessThan(total);
    await second.stop();
    await bus.close();
  });

  it('hands back at once what reaches an idle consumer while it stops', async () => {
    const { bus, subjects } = makeBus();
    await bus.start();
    const subject = subjects.ingest('acme', 's');
    const options = {
      stream: 'INGEST' as const,
      durable: 'rules',
      filterSubject: subjects.ingestAll(),
      ackWaitMs: 30_000,
    };
    const acked = new Set<string>();
    const handler = async (m: { msgId: string; ack(): Promise<void> }) => {
      await m.ack();
      acked.add(m.msgId);
    };
    const first = await bus.consume(options, handler);
    // its pull request is open and waiting: what is published now goes to it, mid-stop
    const stopping = first.stop();
    await Promise.all(
      Array.from({ length: 5 }, (_, i) => bus.publish(subject, new Uint8Array([i]), { msgId: `late${i}` })),
    );
    await stopping;
    const second = await bus.consume(options, handler);
    await eventually(() => expect(acked.size).toBe(5), { timeoutMs: 5_000 });
    await second.stop();
    await bus.close();
  });
});
