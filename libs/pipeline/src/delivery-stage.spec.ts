import {
  BATCH_HEADER,
  createSubjects,
  decodeDeadLetter,
  defaultBusConfig,
  encodeActionRequest,
  encodeActionRequestBatch,
  InProcessBus,
  type BusMessage,
} from '@sluice/bus';
import type { Action, Connector, ConnectorStatus, DeliveryOutcome, DeliveryRecord } from '@sluice/connectors';
import { DeliveryStage, parsePipelineDefinition, type StageLogger } from '@sluice/pipeline';
import { type DeliveryPolicy } from './delivery-stage';
import { SluiceMetrics } from '@sluice/telemetry';
import { eventually } from '../../../test/support';

const subjects = createSubjects('T_delivery_');
const quiet: StageLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };

/** A typed fake target: `respond` decides each record's outcome; every send call is recorded. */
class FakeConnector implements Connector {
  readonly kind = 'fake';
  readonly calls: DeliveryRecord[][] = [];
  state: ConnectorStatus['state'] = 'connected';
  respond: (record: DeliveryRecord) => DeliveryOutcome | Promise<DeliveryOutcome> = () => ({ ok: true });
  constructor(private readonly maxBatchSize = 1) {}
  async start() {}
  status(): ConnectorStatus {
    return { state: this.state };
  }
  async testConnection() {
    return this.status();
  }
  createAction(config: unknown): Action {
    if (config && typeof config === 'object' && 'fallbackActions' in config)
      throw new Error('fallbackActions must not reach the connector');
    return {
      maxBatchSize: this.maxBatchSize,
      send: (records) => {
        this.calls.push([...records]);
        return Promise.all(records.map(async (r) => this.respond(r)));
      },
    };
  }
  async close() {}
  get sentIds(): string[] {
    return this.calls.flat().map((r) => r.id);
  }
}

const down: DeliveryOutcome = { ok: false, retryable: true, code: 'HTTP_503', message: 'unavailable' };

async function collect(bus: InProcessBus, filterSubject: string) {
  const seen: BusMessage[] = [];
  await bus.consume({ stream: 'DLQ', durable: 'probe_dlq', filterSubject }, async (m) => {
    seen.push(m);
    await m.ack();
  });
  return seen;
}

describe('DeliveryStage: batching, timeout, circuit breaker, fallback', () => {
  let bus: InProcessBus;
  let metrics: SluiceMetrics;
  let stage: DeliveryStage;
  let main: FakeConnector;
  let backup: FakeConnector;

  async function setUp(policy: Partial<DeliveryPolicy>, batchSize = 1, mainActionConfig = {}) {
    bus = new InProcessBus(defaultBusConfig(), subjects);
    await bus.start();
    metrics = new SluiceMetrics({ defaultMetrics: false });
    main = new FakeConnector(batchSize);
    backup = new FakeConnector();
    const targets: Record<string, FakeConnector> = { main, backup };
    stage = new DeliveryStage(
      bus,
      subjects,
      quiet,
      { maxAttempts: 3, baseBackoffMs: 1, maxBackoffMs: 5, ...policy },
      (_kind, config) => targets[(config as { name: string }).name]!,
      metrics,
    );
    await stage.load(
      parsePipelineDefinition({
        tenants: [
          {
            id: 'acme',
            connectors: [
              { id: 'main', kind: 'fake', config: { name: 'main' } },
              { id: 'backup', kind: 'fake', config: { name: 'backup' } },
            ],
            rules: [
              {
                id: 'r',
                sql: 'SELECT * FROM "a/#"',
                actions: [
                  { id: 'a1', connector: 'main', config: mainActionConfig },
                  { id: 'a2', connector: 'backup' },
                ],
              },
            ],
          },
        ],
      }),
    );
    for (const connector of ['main', 'backup']) {
      await bus.consume(
        {
          stream: 'ACTIONS',
          durable: `delivery_acme_${connector}`,
          filterSubject: subjects.actions('acme', connector),
          maxAckPending: 64,
        },
        (m) => stage.handle(m),
      );
    }
  }
  afterEach(() => bus.close());

  const publish = (id: string, actionId = 'a1', connectorId = 'main', createdAt = 0) =>
    bus.publish(
      subjects.actions('acme', connectorId),
      encodeActionRequest({
        id,
        tenant: 'acme',
        ruleId: 'r',
        actionId,
        connectorId,
        data: Buffer.from(JSON.stringify({ n: id })),
        sourceMessageId: id,
        createdAt,
        trace: {},
      }),
      { msgId: id },
    );

  const request = (id: string) => ({
    id,
    tenant: 'acme',
    ruleId: 'r',
    actionId: 'a1',
    connectorId: 'main',
    data: Buffer.from(JSON.stringify({ n: id })),
    sourceMessageId: id,
    createdAt: 0,
    trace: {},
  });
  /** A batch envelope as the rule stage stores it. */
  const publishBatch = (ids: string[]) =>
    bus.publish(subjects.actions('acme', 'main'), encodeActionRequestBatch(ids.map(request)), {
      msgId: `batch:${ids.join(',')}`,
      headers: { [BATCH_HEADER]: String(ids.length) },
    });
  const sent = (id: string) => main.sentIds.filter((s) => s === id).length;

  it('delivers a batch envelope; a failed request is retried alone, the others are not sent again', async () => {
    await setUp({ batchWindowMs: 5 }, 10);
    let failures = 0;
    main.respond = (r) => (r.id === 'b2' && failures++ < 2 ? down : { ok: true });
    const ids = ['b1', 'b2', 'b3', 'b4'];
    await publishBatch(ids);
    await eventually(() => expect(stage.counters.delivered).toBe(4));
    expect(ids.map(sent)).toEqual([1, 3, 1, 1]);
    expect(stage.counters.retried).toBe(2);
    const text = await metrics.render();
    // per request, counted once however often b2 came back
    expect(text).toContain('sluice_action_matched_total{tenant="acme",connector="main",action="a1"} 4');
    expect(text).toContain('sluice_action_success_total{tenant="acme",connector="main",action="a1"} 4');
    expect(text).toContain('sluice_action_retried_total{tenant="acme",connector="main",action="a1"} 2');
  });

  it('dead-letters the poison request of a batch alone, after its own attempts; the rest flow on', async () => {
    await setUp({ batchWindowMs: 5, maxAttempts: 3, breakerThreshold: 100 }, 10);
    main.respond = (r) =>
      r.id === 'bad'
        ? { ok: false, retryable: false, code: 'HTTP_400', message: 'bad' }
        : r.id === 'flaky'
          ? down
          : { ok: true };
    const dlq = await collect(bus, subjects.dlqAll());
    await publishBatch(['ok1', 'bad', 'flaky', 'ok2']);
    await eventually(() => expect(dlq).toHaveLength(2));
    const letters = dlq.map((m) => decodeDeadLetter(m.data));
    const byId = new Map(letters.map((l) => [l.request?.id, l]));
    expect(byId.get('bad')).toMatchObject({ errorCode: 'HTTP_400', attempts: 1 });
    expect(byId.get('flaky')).toMatchObject({ errorCode: 'HTTP_503', attempts: 3 });
    expect(['ok1', 'bad', 'flaky', 'ok2'].map(sent)).toEqual([1, 1, 3, 1]);
    expect(stage.counters).toMatchObject({ delivered: 2, deadLettered: 2 });
  });

  it('pauses a batch while the circuit is open without burning attempts, then delivers it once', async () => {
    await setUp({ batchWindowMs: 5, breakerThreshold: 1, breakerOpenMs: 40, maxAttempts: 5 }, 10);
    main.respond = () => down;
    const dlq = await collect(bus, subjects.dlqAll());
    await publish('opener');
    await eventually(() => expect(stage.counters.paused).toBeGreaterThan(0));
    await publishBatch(['c1', 'c2', 'c3']);
    // far more pauses than maxAttempts: the batch waited rather than failing
    await eventually(() => expect(stage.counters.paused).toBeGreaterThan(10), { timeoutMs: 8_000 });
    main.respond = () => ({ ok: true });
    await eventually(() => expect(stage.counters).toMatchObject({ delivered: 4 }), { timeoutMs: 10_000 });
    expect(dlq).toHaveLength(0);
    // the probes may have carried the batch while it failed, but far fewer times than it was paused
    expect(['c1', 'c2', 'c3'].map(sent).every((n) => n >= 1 && n < 5)).toBe(true);
  }, 20_000);

  it('with no batch window, sends the requests of one batch envelope together at the end of the turn', async () => {
    await setUp({}, 10);
    await publishBatch(['w1', 'w2', 'w3', 'w4']);
    await eventually(() => expect(stage.counters.delivered).toBe(4));
    expect(main.calls.map((c) => c.length)).toEqual([4]);
  });

  it('sends requests in batches of at most maxBatchSize and settles each by its own outcome', async () => {
    await setUp({ batchWindowMs: 20 }, 10);
    main.respond = (r) =>
      r.id === 'm7' ? { ok: false, retryable: false, code: 'HTTP_400', message: 'bad' } : { ok: true };
    const dlq = await collect(bus, subjects.dlqAll());
    const ids = Array.from({ length: 25 }, (_, i) => `m${i}`);
    await Promise.all(ids.map((id) => publish(id)));
    await eventually(() => expect(stage.counters.delivered).toBe(24));
    await eventually(() => expect(dlq).toHaveLength(1));
    expect(decodeDeadLetter(dlq[0]!.data)).toMatchObject({ errorCode: 'HTTP_400', attempts: 1 });
    expect(decodeDeadLetter(dlq[0]!.data).request?.id).toBe('m7');
    // 25 requests in batches of up to 10: at least 3 sends, and fewer than one per request
    expect(main.calls.every((c) => c.length <= 10)).toBe(true);
    expect(main.calls.length).toBeGreaterThanOrEqual(3);
    expect(main.calls.length).toBeLessThan(25);
    expect([...main.sentIds].sort()).toEqual([...ids].sort());
  });

  it('shows requests waiting for a batch as queuing and those being sent as inflight, then zero', async () => {
    await setUp({ batchWindowMs: 300 }, 10);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    main.respond = async () => {
      await gate;
      return { ok: true };
    };
    const gauge = async (name: string) => {
      const line = (await metrics.render())
        .split('\n')
        .find((l) => l.startsWith(`${name}{tenant="acme",connector="main",action="a1"}`));
      return Number(line?.split(' ').pop() ?? 'NaN');
    };
    await Promise.all(['q1', 'q2', 'q3'].map((id) => publish(id)));
    await eventually(async () => expect(await gauge('sluice_action_queuing')).toBe(3));
    expect(main.calls).toHaveLength(0);
    // the window closes: the batch is being sent, and the target holds it
    await eventually(async () => expect(await gauge('sluice_action_in_flight_requests')).toBe(3));
    expect(await gauge('sluice_action_queuing')).toBe(0);
    release();
    await eventually(() => expect(stage.counters.delivered).toBe(3));
    expect(await gauge('sluice_action_in_flight_requests')).toBe(0);
    expect(await metrics.render()).toContain(
      'sluice_action_success_total{tenant="acme",connector="main",action="a1"} 3',
    );
  });

  it('fails a hung send with DELIVERY_TIMEOUT, retries it and counts the late reply', async () => {
    await setUp({ sendTimeoutMs: 30 });
    let first = true;
    main.respond = () => {
      if (!first) return { ok: true };
      first = false;
      return new Promise((resolve) => setTimeout(() => resolve({ ok: true }), 120));
    };
    await publish('slow');
    await eventually(() => expect(stage.counters.delivered).toBe(1));
    expect(main.sentIds).toEqual(['slow', 'slow']);
    await eventually(async () => {
      const text = await metrics.render();
      expect(text).toContain(
        'sluice_action_failed_total{tenant="acme",connector="main",action="a1",code="DELIVERY_TIMEOUT"} 1',
      );
      expect(text).toContain('sluice_action_late_reply_total{tenant="acme",connector="main",action="a1"} 1');
    });
  });

  it('opens the circuit while the target fails: deliveries pause without burning attempts', async () => {
    await setUp({ breakerThreshold: 2, breakerOpenMs: 40, maxAttempts: 5 });
    main.respond = () => down;
    const dlq = await collect(bus, subjects.dlqAll());
    const ids = ['p1', 'p2', 'p3', 'p4'];
    for (const id of ids) await publish(id);
    // with 3 attempts each and no breaker, four requests would be dead-lettered long before this
    await eventually(() => expect(stage.counters.paused).toBeGreaterThanOrEqual(16), { timeoutMs: 8_000 });
    const handle = stage['connectors'].get('acme/main')!;
    expect(stage.connectorHealth(handle).up).toBe(false);
    expect(stage.connectorHealth(handle).detail).toMatch(/^circuit (open|half-open): unavailable/);
    expect(await metrics.render()).toContain(
      'sluice_connector_circuit_open{tenant="acme",connector="main"} 1',
    );
    main.respond = () => ({ ok: true });
    await eventually(() => expect(stage.counters.delivered).toBe(4), { timeoutMs: 10_000 });
    expect(dlq).toHaveLength(0);
    expect(stage.connectorHealth(handle)).toEqual({ up: true, detail: 'connected' });
    expect(await metrics.render()).toContain(
      'sluice_connector_circuit_open{tenant="acme",connector="main"} 0',
    );
    // sends while down: the attempts before the circuit opened plus one probe per open period
    expect(main.sentIds.length).toBeLessThan(stage.counters.paused);
  }, 20_000);

  it('still dead-letters a message that fails on every attempt (the probe counts as one)', async () => {
    await setUp({ breakerThreshold: 2, breakerOpenMs: 20 });
    main.respond = () => down;
    const dlq = await collect(bus, subjects.dlqAll());
    await publish('poison');
    await eventually(() => expect(dlq).toHaveLength(1), { timeoutMs: 10_000 });
    expect(decodeDeadLetter(dlq[0]!.data)).toMatchObject({ errorCode: 'HTTP_503', attempts: 3 });
    expect(main.sentIds).toEqual(['poison', 'poison', 'poison']);
  });

  it('opens the circuit at the first failure while the connector reports itself disconnected', async () => {
    await setUp({ breakerThreshold: 100, breakerOpenMs: 10_000 });
    main.state = 'disconnected';
    main.respond = () => down;
    await publish('d1');
    await eventually(() => expect(stage.counters.paused).toBeGreaterThan(0));
    expect(main.sentIds).toEqual(['d1']);
  });

  it('hands a given-up request to its fallback action with a derived stable id, and to the DLQ', async () => {
    await setUp({}, 1, { fallbackActions: ['a2'] });
    main.respond = () => ({ ok: false, retryable: false, code: 'HTTP_400', message: 'rejected' });
    const dlq = await collect(bus, subjects.dlqAll());
    await publish('f1');
    await eventually(() => expect(backup.sentIds).toEqual(['f1/fallback/a2']));
    await eventually(() => expect(dlq).toHaveLength(1));
    expect(decodeDeadLetter(dlq[0]!.data).request?.id).toBe('f1');
    expect(backup.calls[0]![0]!.data).toEqual({ n: 'f1' });
    expect(stage.counters.fellBack).toBe(1);
    expect(await metrics.render()).toContain(
      'sluice_action_fallback_total{tenant="acme",connector="main",action="a1"} 1',
    );
  });

  it('does not fall back again from a failed fallback request', async () => {
    await setUp({}, 1, { fallbackActions: ['a2'] });
    main.respond = () => ({ ok: false, retryable: false, code: 'HTTP_400', message: 'rejected' });
    await publish('x/fallback/a0');
    await eventually(() => expect(stage.counters.deadLettered).toBe(1));
    expect(backup.sentIds).toEqual([]);
    expect(stage.counters.fellBack).toBe(0);
  });

  it('rejects a configuration whose fallback action does not exist, changing nothing', async () => {
    await setUp({});
    const bad = parsePipelineDefinition({
      tenants: [
        {
          id: 'acme',
          connectors: [{ id: 'main', kind: 'fake', config: { name: 'main' } }],
          rules: [
            {
              id: 'r',
              sql: 'SELECT * FROM "a/#"',
              actions: [{ id: 'a1', connector: 'main', config: { fallbackActions: ['nope'] } }],
            },
          ],
        },
      ],
    }).tenants[0]!;
    await expect(stage.applyTenant('acme', bad)).rejects.toThrow(/unknown fallback action 'nope'/);
    await publish('still');
    await eventually(() => expect(stage.counters.delivered).toBe(1));
  });

  it('counts matched requests once, however often they are redelivered', async () => {
    await setUp({});
    let failures = 2;
    main.respond = () => (failures-- > 0 ? down : { ok: true });
    await publish('once');
    await eventually(() => expect(stage.counters.delivered).toBe(1));
    const text = await metrics.render();
    expect(text).toContain('sluice_action_matched_total{tenant="acme",connector="main",action="a1"} 1');
    expect(text).toContain('sluice_action_retried_total{tenant="acme",connector="main",action="a1"} 2');
  });

  it('drops a request older than the time-to-live as expired, counted and dead-lettered, never silently', async () => {
    await setUp({ requestTtlMs: 1_000 });
    const dlq = await collect(bus, subjects.dlqAll());
    await publish('old', 'a1', 'main', Date.now() - 60_000);
    await publish('fresh', 'a1', 'main', Date.now());
    await eventually(() => expect(dlq).toHaveLength(1));
    expect(decodeDeadLetter(dlq[0]!.data)).toMatchObject({ errorCode: 'ACTION_EXPIRED', attempts: 1 });
    await eventually(() => expect(main.sentIds).toEqual(['fresh']));
    expect(await metrics.render()).toContain(
      'sluice_action_dropped_total{tenant="acme",connector="main",action="a1",reason="expired"} 1',
    );
  });

  it('treats a send that throws as a retryable DELIVERY_SEND_FAILED', async () => {
    await setUp({});
    let throws = true;
    main.respond = () => {
      if (!throws) return { ok: true };
      throws = false;
      throw new Error('driver bug');
    };
    await publish('t1');
    await eventually(() => expect(stage.counters.delivered).toBe(1));
    expect(stage.counters.retried).toBe(1);
    expect(await metrics.render()).toContain('code="DELIVERY_SEND_FAILED"} 1');
  });
});
