import {
  createSubjects,
  BATCH_HEADER,
  decodeActionRequest,
  decodeActionRequests,
  decodeDeadLetter,
  defaultBusConfig,
  encodeActionRequest,
  encodeIngestEnvelope,
  InProcessBus,
  type BusMessage,
  type IngestEnvelope,
} from '@sluice/bus';
import type { Action, Connector, DeliveryOutcome, DeliveryRecord } from '@sluice/connectors';
import { DeliveryStage, parsePipelineDefinition, RuleStage, type StageLogger } from '@sluice/pipeline';
import { SluiceMetrics } from '@sluice/telemetry';
import { eventually } from '../../../test/support';

const subjects = createSubjects('T_stage_');
const quiet: StageLogger = process.env['DEBUG_STAGES']
  ? console
  : { log: () => undefined, warn: () => undefined, error: () => undefined };

const pipeline = parsePipelineDefinition({
  tenants: [
    {
      id: 'acme',
      connectors: [{ id: 'hook', kind: 'scripted' }],
      rules: [
        {
          id: 'hot',
          sql: 'SELECT payload.temp AS temp, topic FROM "sensors/#" WHERE payload.temp > 30',
          actions: [{ id: 'a1', connector: 'hook' }],
        },
        {
          id: 'items',
          sql: 'FOREACH payload.items AS i DO i.v AS v FROM "batch/#"',
          actions: [{ id: 'a1', connector: 'hook' }],
        },
      ],
    },
  ],
});

function envelope(topic: string, payload: unknown, id = `m-${Math.random()}`): IngestEnvelope {
  return {
    id,
    tenant: 'acme',
    source: 'devices',
    topic,
    payload: Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload)),
    qos: 1,
    retain: false,
    userProperties: [],
    clientid: '',
    username: '',
    peerhost: '',
    receivedAt: 1_700_000_000_000,
    trace: {},
  };
}

/** A connector whose outcomes the test scripts; records what it was sent. */
class ScriptedConnector implements Connector {
  readonly kind = 'scripted';
  readonly sent: DeliveryRecord[] = [];
  outcomes: DeliveryOutcome[] = [];
  async start() {}
  status() {
    return { state: 'connected' as const };
  }
  async testConnection() {
    return this.status();
  }
  createAction(): Action {
    return {
      maxBatchSize: 1,
      send: async (records) => {
        this.sent.push(...records);
        return records.map(() => this.outcomes.shift() ?? { ok: true });
      },
    };
  }
  async close() {}
}

async function collect(bus: InProcessBus, stream: 'ACTIONS' | 'DLQ', filterSubject: string) {
  const seen: BusMessage[] = [];
  await bus.consume({ stream, durable: `probe_${stream}`, filterSubject }, async (m) => {
    seen.push(m);
    await m.ack();
  });
  return seen;
}

describe('RuleStage', () => {
  let bus: InProcessBus;
  beforeEach(async () => {
    bus = new InProcessBus(defaultBusConfig(), subjects);
    await bus.start();
  });
  afterEach(() => bus.close());

  it('stores one action request per matching output, with a stable id, in batch envelopes, then acks', async () => {
    const metrics = new SluiceMetrics({ defaultMetrics: false });
    const stage = new RuleStage(bus, subjects, quiet, metrics);
    stage.load(pipeline);
    const actions = await collect(bus, 'ACTIONS', subjects.actionsAll());
    await bus.consume({ stream: 'INGEST', durable: 'rules', filterSubject: subjects.ingestAll() }, (m) =>
      stage.handle(m),
    );
    const data = (e: IngestEnvelope) => encodeIngestEnvelope(e);
    await bus.publish(subjects.ingest('acme', 'devices'), data(envelope('sensors/a', { temp: 35 }, 'm1')), {
      msgId: 'm1',
    });
    await bus.publish(subjects.ingest('acme', 'devices'), data(envelope('sensors/b', { temp: 10 }, 'm2')), {
      msgId: 'm2',
    });
    await bus.publish(
      subjects.ingest('acme', 'devices'),
      data(envelope('batch/x', { items: [{ v: 1 }, { v: 2 }] }, 'm3')),
      { msgId: 'm3' },
    );
    await eventually(() => expect(actions.flatMap((m) => decodeActionRequests(m))).toHaveLength(3));
    // batch envelopes: at least m3's two FOREACH outputs (handed over in one tick) share one
    expect(actions.length).toBeLessThanOrEqual(2);
    for (const m of actions) expect(m.headers[BATCH_HEADER]).toBe(String(decodeActionRequests(m).length));
    const requests = actions.flatMap((m) => decodeActionRequests(m));
    const hot = requests.find((r) => r.ruleId === 'hot')!;
    expect(hot.id).toBe('m1:hot:0:a1');
    expect(JSON.parse(Buffer.from(hot.data).toString())).toEqual({ temp: 35, topic: 'sensors/a' });
    expect(actions[0]!.subject).toBe(subjects.actions('acme', 'hook'));
    const items = requests
      .filter((r) => r.ruleId === 'items')
      .map((r) => JSON.parse(Buffer.from(r.data).toString()));
    expect(items).toEqual([{ v: 1 }, { v: 2 }]);
    expect(stage.counters).toMatchObject({ messages: 3, matched: 3, passed: 2, noResult: 1 });
    const text = await metrics.render();
    expect(text).toContain('sluice_rule_matched_total{tenant="acme",rule="hot"} 2');
    expect(text).toContain('sluice_rule_passed_total{tenant="acme",rule="hot"} 1');
    expect(text).toContain('sluice_rule_failed_total{tenant="acme",rule="hot",reason="no_result"} 1');
    expect(text).toContain('sluice_rule_actions_total{tenant="acme",rule="items"} 2');
  });

  it('counts a runtime failure for that rule and still acks the message', async () => {
    const stage = new RuleStage(bus, subjects, quiet);
    stage.load(pipeline);
    await bus.consume({ stream: 'INGEST', durable: 'rules', filterSubject: subjects.ingestAll() }, (m) =>
      stage.handle(m),
    );
    // payload is not JSON, so reading payload.temp fails or yields nothing; either way nothing is stored
    await bus.publish(
      subjects.ingest('acme', 'devices'),
      encodeIngestEnvelope(envelope('sensors/a', 'not json')),
      {
        msgId: 'bad-json',
      },
    );
    await eventually(() => expect(stage.counters.messages).toBe(1));
    await eventually(() => expect(stage.counters.failed + stage.counters.noResult).toBe(1));
    expect(stage.counters.actionRequests).toBe(0);
  });

  it('logs a rule failing on every message once per rule and minute, not once per message', async () => {
    const warnings: string[] = [];
    const log: StageLogger = { ...quiet, warn: (m) => warnings.push(m) };
    const stage = new RuleStage(bus, subjects, log);
    const rules = ['r1', 'r2', 'r3', 'r4'].map((id) => ({ id, sql: 'SELECT payload.t AS t FROM "raw/#"' }));
    stage.load(parsePipelineDefinition({ tenants: [{ id: 'acme', rules }] }));
    await bus.consume({ stream: 'INGEST', durable: 'rules', filterSubject: subjects.ingestAll() }, (m) =>
      stage.handle(m),
    );
    for (let i = 0; i < 200; i++) {
      await bus.publish(
        subjects.ingest('acme', 'devices'),
        encodeIngestEnvelope(envelope('raw/x', 'not json')),
        {
          msgId: `nj${i}`,
        },
      );
    }
    await eventually(() => expect(stage.counters.failed).toBe(800));
    // 200 non-JSON messages on 4 rules: one line per rule (it was 800), naming tenant, rule and topic
    expect(warnings).toHaveLength(4);
    expect(warnings[0]).toMatch(/^rule acme\/r1 failed on message .* \(topic raw\/x\): /);
  });

  it('dead-letters an INGEST message that does not decode, keeping its bytes', async () => {
    const stage = new RuleStage(bus, subjects, quiet);
    stage.load(pipeline);
    const dlq = await collect(bus, 'DLQ', subjects.dlqAll());
    await bus.consume({ stream: 'INGEST', durable: 'rules', filterSubject: subjects.ingestAll() }, (m) =>
      stage.handle(m),
    );
    const garbage = Uint8Array.from([0xff, 0xff, 0xff, 0xff]);
    await bus.publish(subjects.ingest('acme', 'devices'), garbage, { msgId: 'garbage' });
    await eventually(() => expect(dlq).toHaveLength(1));
    const letter = decodeDeadLetter(dlq[0]!.data);
    expect(letter.errorCode).toBe('BUS_ENVELOPE_INVALID');
    expect([...letter.raw]).toEqual([...garbage]);
    expect(stage.counters.undecodable).toBe(1);
  });

  it('names the rule when its SQL does not compile', () => {
    const stage = new RuleStage(bus, subjects, quiet);
    const broken = parsePipelineDefinition({
      tenants: [{ id: 'acme', rules: [{ id: 'typo', sql: 'SELECT * FORM "a"' }] }],
    });
    expect(() => stage.load(broken)).toThrow(/rule 'typo' of tenant 'acme': .*line 1, column 10/);
  });
});

describe('DeliveryStage', () => {
  let bus: InProcessBus;
  let connector: ScriptedConnector;
  let stage: DeliveryStage;
  let metrics: SluiceMetrics;
  const policy = { maxAttempts: 3, baseBackoffMs: 1, maxBackoffMs: 5 };

  beforeEach(async () => {
    bus = new InProcessBus(defaultBusConfig(), subjects);
    await bus.start();
    connector = new ScriptedConnector();
    metrics = new SluiceMetrics({ defaultMetrics: false });
    stage = new DeliveryStage(bus, subjects, quiet, policy, () => connector, metrics);
    await stage.load(pipeline);
    await bus.consume(
      { stream: 'ACTIONS', durable: 'delivery_acme_hook', filterSubject: subjects.actions('acme', 'hook') },
      (m) => stage.handle(m),
    );
  });
  afterEach(() => bus.close());

  const request = (id: string) =>
    encodeActionRequest({
      id,
      tenant: 'acme',
      ruleId: 'hot',
      actionId: 'a1',
      connectorId: 'hook',
      data: Buffer.from(JSON.stringify({ temp: 40 })),
      sourceMessageId: 'm',
      createdAt: 0,
      trace: { traceparent: '00-abc-def-01' },
    });

  it('sends the rule output with its id and trace headers, and acks on success', async () => {
    await bus.publish(subjects.actions('acme', 'hook'), request('r1'), { msgId: 'r1' });
    await eventually(() => expect(stage.counters.delivered).toBe(1));
    expect(connector.sent).toEqual([
      { id: 'r1', data: { temp: 40 }, json: '{"temp":40}', headers: { traceparent: '00-abc-def-01' } },
    ]);
  });

  it('retries a retryable failure and delivers on a later attempt', async () => {
    connector.outcomes = [{ ok: false, retryable: true, code: 'HTTP_503', message: 'busy' }];
    await bus.publish(subjects.actions('acme', 'hook'), request('r2'), { msgId: 'r2' });
    await eventually(() => expect(stage.counters.delivered).toBe(1));
    expect(connector.sent.map((r) => r.id)).toEqual(['r2', 'r2']);
    expect(stage.counters.retried).toBe(1);
  });

  it('dead-letters after the last attempt with the code, the attempts and the request', async () => {
    const dlq = await collect(bus, 'DLQ', subjects.dlqAll());
    const down = {
      ok: false as const,
      retryable: true,
      code: 'CONNECTOR_UNAVAILABLE',
      message: 'ECONNREFUSED',
    };
    connector.outcomes = [down, down, down];
    await bus.publish(subjects.actions('acme', 'hook'), request('r3'), { msgId: 'r3' });
    await eventually(() => expect(dlq).toHaveLength(1));
    const letter = decodeDeadLetter(dlq[0]!.data);
    expect(letter).toMatchObject({
      errorCode: 'CONNECTOR_UNAVAILABLE',
      errorMessage: 'ECONNREFUSED',
      attempts: 3,
    });
    expect(letter.request?.id).toBe('r3');
    expect(dlq[0]!.subject).toBe(subjects.dlq('acme', 'hook'));
    expect(connector.sent).toHaveLength(3);
    await eventually(async () => {
      const text = await metrics.render();
      expect(text).toContain(
        'sluice_action_failed_total{tenant="acme",connector="hook",action="a1",code="CONNECTOR_UNAVAILABLE"} 3',
      );
      expect(text).toContain('sluice_action_retried_total{tenant="acme",connector="hook",action="a1"} 2');
      expect(text).toContain(
        'sluice_action_dead_lettered_total{tenant="acme",connector="hook",action="a1",code="CONNECTOR_UNAVAILABLE"} 1',
      );
    });
  });

  it('dead-letters a permanent failure at once', async () => {
    const dlq = await collect(bus, 'DLQ', subjects.dlqAll());
    connector.outcomes = [{ ok: false, retryable: false, code: 'HTTP_400', message: 'bad request' }];
    await bus.publish(subjects.actions('acme', 'hook'), request('r4'), { msgId: 'r4' });
    await eventually(() => expect(dlq).toHaveLength(1));
    expect(decodeDeadLetter(dlq[0]!.data)).toMatchObject({ errorCode: 'HTTP_400', attempts: 1 });
    expect(connector.sent).toHaveLength(1);
  });

  it('delivers a request that came before its action, once the configuration arrives', async () => {
    // a rule just enabled: the rules stage has it, this delivery replica not yet
    const patient = new DeliveryStage(
      bus,
      subjects,
      quiet,
      { maxAttempts: 50, baseBackoffMs: 20, maxBackoffMs: 50 },
      () => connector,
      metrics,
    );
    await patient.load(pipeline);
    await bus.consume(
      { stream: 'ACTIONS', durable: 'delivery_acme_late', filterSubject: subjects.actions('acme', 'late') },
      (m) => patient.handle(m),
    );
    const early = encodeActionRequest({
      ...decodeActionRequest(request('r6')),
      ruleId: 'new',
      connectorId: 'late',
    });
    await bus.publish(subjects.actions('acme', 'late'), early, { msgId: 'r6' });
    await eventually(() => expect(patient.counters.retried).toBeGreaterThan(0));
    const tenant = pipeline.tenants[0]!;
    await patient.applyTenant('acme', {
      ...tenant,
      connectors: [
        ...tenant.connectors,
        { id: 'late', kind: 'scripted', config: {}, configuredBy: 'tenant' },
      ],
      rules: [
        ...tenant.rules,
        { ...tenant.rules[0]!, id: 'new', actions: [{ id: 'a1', connector: 'late', config: {} }] },
      ],
    });
    await eventually(() => expect(connector.sent.map((r) => r.id)).toEqual(['r6']));
    expect(patient.counters.deadLettered).toBe(0);
  });

  it('dead-letters a request for an action it does not know once its attempts are used', async () => {
    const dlq = await collect(bus, 'DLQ', subjects.dlqAll());
    const unknown = encodeActionRequest({
      ...decodeActionRequest(request('r5')),
      actionId: 'gone',
    });
    await bus.publish(subjects.actions('acme', 'hook'), unknown, { msgId: 'r5' });
    await eventually(() => expect(dlq).toHaveLength(1));
    // the configuration may not have reached this replica yet, so it is tried again first
    expect(decodeDeadLetter(dlq[0]!.data)).toMatchObject({ errorCode: 'ACTION_NOT_FOUND', attempts: 3 });
    expect(connector.sent).toHaveLength(0);
  });
});

describe('DeliveryStage.applyTenant', () => {
  const built: ScriptedConnector[] = [];
  const factory = () => {
    const c = new ScriptedConnector();
    built.push(c);
    return c;
  };
  const tenant = (url: string) =>
    parsePipelineDefinition({
      tenants: [
        {
          id: 'acme',
          connectors: [{ id: 'hook', kind: 'scripted', config: { url } }],
          rules: [{ id: 'r', sql: 'SELECT * FROM "a"', actions: [{ id: 'a1', connector: 'hook' }] }],
        },
      ],
    }).tenants[0]!;

  it('keeps an unchanged connector, replaces a changed one and retires a removed one', async () => {
    built.length = 0;
    const bus = new InProcessBus(defaultBusConfig(), subjects);
    const stage = new DeliveryStage(bus, subjects, quiet, undefined, factory);
    const first = await stage.applyTenant('acme', tenant('http://one'));
    expect(first.added).toHaveLength(1);
    expect((await stage.applyTenant('acme', tenant('http://one'))).added).toHaveLength(0);
    const changed = await stage.applyTenant('acme', tenant('http://two'));
    expect(changed.added).toHaveLength(1);
    expect(changed.removed).toEqual(first.added);
    const gone = await stage.applyTenant('acme', null);
    expect(gone.removed).toEqual(changed.added);
    expect(built).toHaveLength(2);
  });

  it('changes nothing when an action names a connector the tenant does not have', async () => {
    const bus = new InProcessBus(defaultBusConfig(), subjects);
    const stage = new DeliveryStage(bus, subjects, quiet, undefined, factory);
    await stage.applyTenant('acme', tenant('http://one'));
    const broken = { ...tenant('http://two'), connectors: [] };
    await expect(stage.applyTenant('acme', broken)).rejects.toThrow(/unknown connector 'hook'/);
    expect((await stage.applyTenant('acme', tenant('http://one'))).added).toHaveLength(0);
  });
});
