import {
  createSubjects,
  defaultBusConfig,
  encodeIngestEnvelope,
  InProcessBus,
  type IngestEnvelope,
} from '@sluice/bus';
import type { Action, Connector, DeliveryOutcome, DeliveryRecord } from '@sluice/connectors';
import { DeliveryStage, parsePipelineDefinition, RuleStage, type StageLogger } from '@sluice/pipeline';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { initTracing, shutdownTracing, SpanKind } from '@sluice/telemetry';
import { flushTracing, SpanStatusCode } from '../src/tracing';
import { eventually } from '../../../test/support';

// why: initTracing loads the OpenTelemetry SDK on first use (a process without tracing never
// needs its ~50 MiB); load it once here so no test's own timeout pays for it
// eslint-disable-next-line @typescript-eslint/no-require-imports
beforeAll(() => void require('@opentelemetry/sdk-node'), 60_000);

// The spans of the real pipeline stages over the in-process bus, recorded in memory: parent links
// (the delivery span's parent is the rule span, so the action request carried it), attributes and the failure paths (rule error, failed and retried delivery, sampled-out message).

const subjects = createSubjects('T_spans_');
const quiet: StageLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const INGEST_SPAN = '00f067aa0ba902b7';

const pipeline = parsePipelineDefinition({
  tenants: [
    {
      id: 'acme',
      connectors: [{ id: 'hook', kind: 'scripted' }],
      rules: [
        { id: 'hot', sql: 'SELECT payload.temp AS temp FROM "sensors/#" WHERE payload.temp > 30' },
        // int('abc') is a runtime error (EMQX: badarg)
        { id: 'broken', sql: `SELECT int('abc') AS x FROM "broken/#"` },
      ].map((rule) => ({ ...rule, actions: [{ id: 'a1', connector: 'hook' }] })),
    },
  ],
});

function envelope(topic: string, temp: number, traceparent: string): Uint8Array {
  const e: IngestEnvelope = {
    id: `m-${topic}-${temp}`,
    tenant: 'acme',
    source: 'devices',
    topic,
    payload: Buffer.from(JSON.stringify({ temp })),
    qos: 1,
    retain: false,
    userProperties: [],
    clientid: '',
    username: '',
    peerhost: '',
    receivedAt: 0,
    trace: { traceparent },
  };
  return encodeIngestEnvelope(e);
}

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

describe('spans of the pipeline stages', () => {
  // why one per test: shutting tracing down shuts the exporter down too
  let exporter: InMemorySpanExporter;
  let bus: InProcessBus;
  let connector: ScriptedConnector;

  beforeEach(async () => {
    exporter = new InMemorySpanExporter();
    initTracing('sluice-test', { spanProcessors: [new SimpleSpanProcessor(exporter)] });
    bus = new InProcessBus(defaultBusConfig(), subjects);
    await bus.start();
    const rules = new RuleStage(bus, subjects, quiet);
    rules.load(pipeline);
    connector = new ScriptedConnector();
    const policy = { maxAttempts: 3, baseBackoffMs: 1, maxBackoffMs: 5 };
    const delivery = new DeliveryStage(bus, subjects, quiet, policy, () => connector);
    await delivery.load(pipeline);
    await bus.consume({ stream: 'INGEST', durable: 'rules', filterSubject: subjects.ingestAll() }, (m) =>
      rules.handle(m),
    );
    await bus.consume(
      { stream: 'ACTIONS', durable: 'delivery', filterSubject: subjects.actions('acme', 'hook') },
      (m) => delivery.handle(m),
    );
  });
  afterEach(async () => {
    await bus.close();
    await shutdownTracing();
  });

  const publish = (topic: string, temp: number, traceparent = `00-${TRACE_ID}-${INGEST_SPAN}-01`) =>
    bus.publish(subjects.ingest('acme', 'devices'), envelope(topic, temp, traceparent), {
      msgId: `${topic}-${temp}`,
    });
  const finished = async (count: number) => {
    await eventually(async () => {
      await flushTracing();
      expect(exporter.getFinishedSpans().length).toBeGreaterThanOrEqual(count);
    });
    return exporter.getFinishedSpans();
  };

  it('chains rule and delivery spans under the envelope context and hands the target the delivery span', async () => {
    await publish('sensors/a', 35);
    await eventually(() => expect(connector.sent).toHaveLength(1));
    const [rule, deliver] = await finished(2);
    expect(rule).toMatchObject({ name: 'rule hot', kind: SpanKind.INTERNAL });
    expect(rule?.spanContext().traceId).toBe(TRACE_ID);
    expect(rule?.parentSpanContext?.spanId).toBe(INGEST_SPAN);
    expect(rule?.attributes).toMatchObject({
      'sluice.tenant': 'acme',
      'sluice.rule.id': 'hot',
      'sluice.rule.matched': true,
      'sluice.rule.passed': true,
      'sluice.rule.outputs': 1,
    });
    expect(deliver).toMatchObject({ name: 'deliver hook', kind: SpanKind.PRODUCER });
    expect(deliver?.parentSpanContext?.spanId).toBe(rule?.spanContext().spanId);
    expect(deliver?.attributes).toMatchObject({
      'sluice.connector.id': 'hook',
      'sluice.action.id': 'a1',
      'sluice.delivery.attempt': 1,
      'sluice.delivery.outcome': 'OK',
    });
    expect(deliver?.status.code).toBe(SpanStatusCode.UNSET);
    expect(connector.sent[0]?.headers).toEqual({
      traceparent: `00-${TRACE_ID}-${deliver?.spanContext().spanId}-01`,
    });
  });

  it('records a rule that did not pass without error, and a rule that failed as an error', async () => {
    await publish('sensors/b', 10);
    await publish('broken/b', 1);
    const spans = await finished(2);
    const cold = spans.find((s) => s.name === 'rule hot');
    expect(cold?.attributes).toMatchObject({ 'sluice.rule.passed': false, 'sluice.rule.outputs': 0 });
    expect(cold?.status.code).toBe(SpanStatusCode.UNSET);
    const broken = spans.find((s) => s.name === 'rule broken');
    expect(broken?.status.code).toBe(SpanStatusCode.ERROR);
    expect(broken?.attributes).toMatchObject({
      'error.type': 'RULE_EVALUATION_FAILED',
      'sluice.rule.passed': false,
    });
    expect(spans.filter((s) => s.name.startsWith('deliver'))).toHaveLength(0);
  });

  it('gives each attempt its own span: a failed one as an error, the retry as its sibling', async () => {
    connector.outcomes = [{ ok: false, retryable: true, code: 'HTTP_503', message: 'busy' }];
    await publish('sensors/c', 40);
    await eventually(() => expect(connector.sent).toHaveLength(2));
    const spans = await finished(3);
    const rule = spans.find((s) => s.name === 'rule hot')!;
    const attempts = spans.filter((s) => s.name === 'deliver hook');
    expect(attempts.map((s) => s.attributes['sluice.delivery.attempt'])).toEqual([1, 2]);
    expect(attempts.map((s) => s.attributes['sluice.delivery.outcome'])).toEqual(['HTTP_503', 'OK']);
    expect(attempts.map((s) => s.status.code)).toEqual([SpanStatusCode.ERROR, SpanStatusCode.UNSET]);
    expect(attempts[0]?.status.message).toBe('busy');
    for (const attempt of attempts) expect(attempt.parentSpanContext?.spanId).toBe(rule.spanContext().spanId);
    expect(connector.sent.map((r) => r.headers?.['traceparent'])).toEqual(
      attempts.map((s) => `00-${TRACE_ID}-${s.spanContext().spanId}-01`),
    );
  });

  it('records nothing for a sampled-out message and carries its context unchanged to the target', async () => {
    const unsampled = `00-${TRACE_ID}-${INGEST_SPAN}-00`;
    await publish('sensors/d', 50, unsampled);
    await eventually(() => expect(connector.sent).toHaveLength(1));
    await flushTracing();
    expect(exporter.getFinishedSpans()).toHaveLength(0);
    expect(connector.sent[0]?.headers).toEqual({ traceparent: unsampled });
  });
});
