import {
  createSubjects,
  decodeActionRequest,
  decodeDeadLetter,
  defaultBusConfig,
  encodeIngestEnvelope,
  InProcessBus,
  type BusConfig,
  type BusMessage,
} from '@sluice/bus';
import {
  ActionQueueLimits,
  parsePipelineDefinition,
  RuleStage,
  splitQueueSettings,
  type StageLogger,
} from '@sluice/pipeline';
import { SluiceMetrics } from '@sluice/telemetry';
import { eventually } from '../../../../test/support';

const subjects = createSubjects('T_queue_');
const quiet: StageLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };

function pipelineWith(queue: unknown) {
  return parsePipelineDefinition({
    tenants: [
      {
        id: 'acme',
        connectors: [{ id: 'hook', kind: 'http', config: { url: 'http://127.0.0.1:9', queue } }],
        rules: [
          { id: 'all', sql: 'SELECT payload FROM "sensors/#"', actions: [{ id: 'a1', connector: 'hook' }] },
        ],
      },
    ],
  });
}

function ingest(id: string, payload: unknown = { v: 1 }): Uint8Array {
  return encodeIngestEnvelope({
    id,
    tenant: 'acme',
    source: 'devices',
    topic: 'sensors/x',
    payload: Buffer.from(JSON.stringify(payload)),
    qos: 1,
    retain: false,
    userProperties: [],
    clientid: '',
    username: '',
    peerhost: '',
    receivedAt: 1_700_000_000_000,
    trace: {},
  });
}

describe('action queue settings', () => {
  it('takes `queue` out of the connector config, with backpressure by default', () => {
    const { config, queue } = splitQueueSettings({ url: 'http://x', queue: { maxMessages: 10 } });
    expect(config).toEqual({ url: 'http://x' });
    expect(queue).toEqual({ maxMessages: 10, overflow: 'backpressure' });
    expect(splitQueueSettings({ url: 'http://x' })).toEqual({ config: { url: 'http://x' } });
  });

  it('names the field of a bad queue setting', () => {
    expect(() => splitQueueSettings({ queue: { maxMessages: 0 } })).toThrow(
      expect.objectContaining({ code: 'CONNECTOR_CONFIG_INVALID', field: 'queue.maxMessages' }),
    );
    expect(() => splitQueueSettings({ queue: { maxMessages: 5, overflow: 'drop_oldest' } })).toThrow(
      expect.objectContaining({ field: 'queue.overflow' }),
    );
    expect(() => splitQueueSettings({ queue: {} })).toThrow(expect.objectContaining({ field: 'queue' }));
    expect(() => pipelineWith({ maxBytes: -1 })).toThrow(
      /tenants\.0\.connectors\.0\.config\.queue\.maxBytes/,
    );
  });
});

describe('ActionQueueLimits with the rule stage', () => {
  let bus: InProcessBus;
  let limits: ActionQueueLimits | undefined;
  let metrics: SluiceMetrics;

  async function setup(queue: unknown, busConfig: Partial<BusConfig> = {}) {
    bus = new InProcessBus(defaultBusConfig(busConfig), subjects);
    await bus.start();
    metrics = new SluiceMetrics({ defaultMetrics: false });
    const pipeline = pipelineWith(queue);
    limits = new ActionQueueLimits(bus, subjects, quiet, 20, metrics);
    limits.setTenant(pipeline.tenants[0]!);
    limits.start();
    const stage = new RuleStage(bus, subjects, quiet, metrics, undefined, limits);
    stage.load(pipeline);
    await bus.consume({ stream: 'INGEST', durable: 'rules', filterSubject: subjects.ingestAll() }, (m) =>
      stage.handle(m),
    );
  }

  /** The delivery consumer of the connector, with a target that holds every request (never acks). */
  async function stuckDelivery(): Promise<BusMessage[]> {
    const held: BusMessage[] = [];
    await bus.consume(
      { stream: 'ACTIONS', durable: 'delivery_acme_hook', filterSubject: subjects.actions('acme', 'hook') },
      (m) => {
        held.push(m);
        return Promise.resolve();
      },
    );
    return held;
  }

  const publish = (ids: string[], payload?: unknown) =>
    Promise.all(
      ids.map((id) => bus.publish(subjects.ingest('acme', 'devices'), ingest(id, payload), { msgId: id })),
    );
  const ids = (n: number) => Array.from({ length: n }, (_, i) => `m${i}`);

  afterEach(async () => {
    await limits?.stop();
    await bus.close();
  });

  it('backpressure: holds the INGEST messages while the queue is full, and lets them through once it drains', async () => {
    await setup({ maxMessages: 3 });
    const held = await stuckDelivery();
    await publish(ids(5));
    await eventually(() => expect(held).toHaveLength(3));
    // the two others wait in INGEST (nak'ed with a delay), none dropped
    await eventually(async () =>
      expect(await metrics.render()).toMatch(
        /sluice_action_queue_backpressure_total\{tenant="acme",connector="hook"\} [1-9]/,
      ),
    );
    expect(bus.streamSize('INGEST').messages).toBe(2);
    expect(bus.streamSize('DLQ').messages).toBe(0);
    expect(held).toHaveLength(3);
    // the target recovers
    for (const m of held.splice(0)) await m.ack();
    await eventually(() => expect(held).toHaveLength(2), { timeoutMs: 5_000 });
    expect(bus.streamSize('INGEST').messages).toBe(0);
    expect(await metrics.render()).not.toContain('reason="queue_full"');
  });

  it('drop_new: dead-letters what does not fit with ACTION_QUEUE_FULL, re-drivable, and counts it', async () => {
    // no delivery consumer at all (the delivery service is down): what is admitted keeps counting
    await setup({ maxMessages: 2, overflow: 'drop_new' });
    await publish(ids(4));
    await eventually(() => expect(bus.streamSize('DLQ').messages).toBe(2));
    expect(bus.streamSize('ACTIONS').messages).toBe(2);
    await eventually(() => expect(bus.streamSize('INGEST').messages).toBe(0));
    const letters: BusMessage[] = [];
    await bus.consume(
      { stream: 'DLQ', durable: 'probe', filterSubject: subjects.dlq('acme', 'hook') },
      (m) => {
        letters.push(m);
        return m.ack();
      },
    );
    await eventually(() => expect(letters).toHaveLength(2));
    const decoded = letters.map((m) => decodeDeadLetter(m.data));
    expect(decoded.map((d) => d.errorCode)).toEqual(['ACTION_QUEUE_FULL', 'ACTION_QUEUE_FULL']);
    // the original request is kept whole, so `sluice dlq redrive` can send it again
    expect(decoded.map((d) => d.request?.actionId)).toEqual(['a1', 'a1']);
    expect(decoded.every((d) => /^m\d:all:0:a1$/.test(d.request?.id ?? ''))).toBe(true);
    const text = await metrics.render();
    expect(text).toContain(
      'sluice_action_dropped_total{tenant="acme",connector="hook",action="a1",reason="queue_full"} 2',
    );
  });

  it('keeps what it knows of a queue across a config change, applying the new bound', async () => {
    await setup({ maxMessages: 2, overflow: 'drop_new' });
    await publish(['a', 'b']);
    await eventually(() => expect(bus.streamSize('ACTIONS').messages).toBe(2));
    // the bound is raised to 3: one more fits, not three more
    limits!.setTenant(pipelineWith({ maxMessages: 3, overflow: 'drop_new' }).tenants[0]!);
    await publish(['c', 'd', 'e']);
    await eventually(() => expect(bus.streamSize('DLQ').messages).toBe(2));
    expect(bus.streamSize('ACTIONS').messages).toBe(3);
  });

  it('bounds bytes too, estimated from the size of the requests', async () => {
    await setup({ maxBytes: 2_500, overflow: 'drop_new' });
    const held = await stuckDelivery();
    // each request carries ~1,000 bytes of payload: two fit in 2,500 bytes, a third does not
    await publish(ids(4), { text: 'x'.repeat(1_000) });
    await eventually(() => expect(bus.streamSize('DLQ').messages).toBe(2));
    expect(held).toHaveLength(2);
    expect(decodeActionRequest(held[0]!.data).data.length).toBeGreaterThan(1_000);
  });

  it('never loses a request the DLQ refuses: the INGEST message is retried', async () => {
    // a DLQ that holds one message: the second drop cannot be stored
    await setup(
      { maxMessages: 1, overflow: 'drop_new' },
      {
        SLUICE_BUS_DLQ_MAX_MSGS: 1,
        SLUICE_BUS_DLQ_DISCARD: 'new',
      },
    );
    await publish(ids(3));
    await eventually(() => expect(bus.streamSize('DLQ').messages).toBe(1));
    expect(bus.streamSize('ACTIONS').messages).toBe(1);
    // the third is neither queued nor dropped: its INGEST message stays, to be tried again
    await eventually(async () => {
      expect(bus.streamSize('INGEST').messages).toBe(1);
      expect(await metrics.render()).toContain('reason="queue_full"} 1');
    });
  });
});
