import {
  createSubjects,
  decodeDeadLetter,
  defaultBusConfig,
  deleteBusStreams,
  encodeIngestEnvelope,
  JetStreamBus,
  type Consumption,
} from '@sluice/bus';
import {
  ActionQueueLimits,
  DeliveryStage,
  deliveryDurable,
  parsePipelineDefinition,
  RuleStage,
  type StageLogger,
} from '@sluice/pipeline';
import { SluiceMetrics } from '@sluice/telemetry';
import { eventually, HttpTarget, testNamespace, testServers } from '../../../test/support';

// A bounded action queue on the real NATS: the HTTP target rejects every write (503, as if stopped),
// so the connector's ACTIONS backlog fills up; the queue's overflow policy is applied and counted.
const ns = testNamespace();
const quiet: StageLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };
let counter = 0;

describe('bounded action queues on JetStream', () => {
  const target = new HttpTarget();
  let bus: JetStreamBus;
  let namespace: string;
  let limits: ActionQueueLimits;
  let metrics: SluiceMetrics;
  let delivery: DeliveryStage;
  const consumptions: Consumption[] = [];

  async function start(queue: Record<string, unknown>) {
    namespace = `${ns.streamPrefix}q${counter++}_`;
    const subjects = createSubjects(namespace);
    bus = new JetStreamBus(
      defaultBusConfig({
        SLUICE_NATS_URL: testServers.natsUrl,
        SLUICE_BUS_INGEST_MAX_BYTES: 8 * 1024 * 1024,
        SLUICE_BUS_ACTIONS_MAX_BYTES: 8 * 1024 * 1024,
        SLUICE_BUS_DLQ_MAX_BYTES: 8 * 1024 * 1024,
      }),
      subjects,
    );
    await bus.start();
    const pipeline = parsePipelineDefinition({
      tenants: [
        {
          id: 'acme',
          connectors: [{ id: 'api', kind: 'http', config: { url: target.url, queue } }],
          rules: [
            {
              id: 'all',
              sql: 'SELECT payload.n AS n FROM "sensors/#"',
              actions: [{ id: 'post', connector: 'api' }],
            },
          ],
        },
      ],
    });
    metrics = new SluiceMetrics({ defaultMetrics: false });
    // why many attempts and short pauses: the target is down for a while and comes back; nothing
    // may reach the DLQ by attempts, only by the queue's policy
    delivery = new DeliveryStage(
      bus,
      subjects,
      quiet,
      { maxAttempts: 1_000, baseBackoffMs: 50, maxBackoffMs: 200, breakerOpenMs: 200 },
      undefined,
      metrics,
    );
    await delivery.load(pipeline);
    consumptions.push(
      await bus.consume(
        {
          stream: 'ACTIONS',
          durable: deliveryDurable('acme', 'api'),
          filterSubject: subjects.actions('acme', 'api'),
          maxAckPending: 4,
        },
        (m) => delivery.handle(m),
      ),
    );
    limits = new ActionQueueLimits(bus, subjects, quiet, 100, metrics);
    limits.setTenant(pipeline.tenants[0]!);
    limits.start();
    const rules = new RuleStage(bus, subjects, quiet, metrics, undefined, limits);
    rules.load(pipeline);
    consumptions.push(
      await bus.consume({ stream: 'INGEST', durable: 'rules', filterSubject: subjects.ingestAll() }, (m) =>
        rules.handle(m),
      ),
    );
    return subjects;
  }

  async function publishIngest(subjects: ReturnType<typeof createSubjects>, count: number) {
    for (let n = 0; n < count; n++) {
      const id = `m${n}`;
      const envelope = encodeIngestEnvelope({
        id,
        tenant: 'acme',
        source: 'devices',
        topic: 'sensors/x',
        payload: Buffer.from(JSON.stringify({ n })),
        qos: 1,
        retain: false,
        userProperties: [],
        clientid: '',
        username: '',
        peerhost: '',
        receivedAt: Date.now(),
        trace: {},
      });
      await bus.publish(subjects.ingest('acme', 'devices'), envelope, { msgId: id });
    }
  }

  const delivered = () => new Set(target.jsonBodies().map((b) => b['n'] as number));

  beforeAll(async () => {
    await target.start();
  });

  afterEach(async () => {
    for (const c of consumptions.splice(0)) await c.stop();
    await limits.stop();
    await delivery.close();
    await bus.close();
    await deleteBusStreams(testServers.natsUrl, namespace);
    target.requests.length = 0;
  });

  afterAll(() => target.close());

  it('drop_new: a stopped target fills the queue; what does not fit is dead-lettered and counted', async () => {
    target.status = 503;
    const subjects = await start({ maxMessages: 5, overflow: 'drop_new' });
    await publishIngest(subjects, 12);
    const dlq = async () => (await bus.streamSize('DLQ')).messages;
    await eventually(async () => expect(await dlq()).toBe(7), { timeoutMs: 10_000 });
    const backlog = await bus.consumerBacklog('ACTIONS', deliveryDurable('acme', 'api'));
    expect(backlog!.pending + backlog!.ackPending).toBe(5);
    expect(await metrics.render()).toContain(
      'sluice_action_dropped_total{tenant="acme",connector="api",action="post",reason="queue_full"} 7',
    );
    // the target returns: the five queued arrive; with the seven dead letters, every message is accounted for
    target.status = 200;
    await eventually(() => expect(delivered().size).toBe(5), { timeoutMs: 15_000 });
    const letters: number[] = [];
    consumptions.push(
      await bus.consume({ stream: 'DLQ', durable: 'probe', filterSubject: subjects.dlqAll() }, async (m) => {
        const letter = decodeDeadLetter(m.data);
        expect(letter.errorCode).toBe('ACTION_QUEUE_FULL');
        letters.push(JSON.parse(Buffer.from(letter.request!.data).toString()).n as number);
        await m.ack();
      }),
    );
    await eventually(() => expect(letters).toHaveLength(7));
    expect([...delivered(), ...letters].sort((a, b) => a - b)).toEqual(
      Array.from({ length: 12 }, (_, i) => i),
    );
  });

  it('backpressure: a stopped target holds the rest in INGEST, counted, and all arrive once it returns', async () => {
    target.status = 503;
    const subjects = await start({ maxMessages: 5 });
    await publishIngest(subjects, 12);
    await eventually(
      async () =>
        expect(await metrics.render()).toMatch(
          /sluice_action_queue_backpressure_total\{tenant="acme",connector="api"\} [1-9]/,
        ),
      { timeoutMs: 10_000 },
    );
    const backlog = await bus.consumerBacklog('ACTIONS', deliveryDurable('acme', 'api'));
    expect(backlog!.pending + backlog!.ackPending).toBe(5);
    // the other seven wait in INGEST: backpressure reaches the broker side, nothing is dropped
    expect((await bus.streamSize('INGEST')).messages).toBe(7);
    expect((await bus.streamSize('DLQ')).messages).toBe(0);
    target.status = 200;
    await eventually(() => expect(delivered().size).toBe(12), { timeoutMs: 20_000, intervalMs: 100 });
    expect(await metrics.render()).not.toContain('reason="queue_full"');
  });
});
