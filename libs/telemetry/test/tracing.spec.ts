import { context, trace, TraceFlags } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import {
  endSpan,
  extractTraceContext,
  initTracing,
  shutdownTracing,
  spanCarrier,
  SpanKind,
  startSpan,
  withSpan,
} from '@sluice/telemetry';
import { flushTracing, SpanStatusCode } from '../src/tracing';

// why: initTracing loads the OpenTelemetry SDK on first use (a process without tracing never
// needs its ~50 MiB); load it once here so no test's own timeout pays for it
// eslint-disable-next-line @typescript-eslint/no-require-imports
beforeAll(() => void require('@opentelemetry/sdk-node'), 60_000);

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const TRACEPARENT = `00-${TRACE_ID}-00f067aa0ba902b7-01`;
const OTEL_VARS = [
  'OTEL_TRACES_EXPORTER',
  'OTEL_TRACES_SAMPLER',
  'OTEL_TRACES_SAMPLER_ARG',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
  'OTEL_SERVICE_NAME',
  'OTEL_SDK_DISABLED',
];

describe('tracing setup', () => {
  const saved = Object.fromEntries(OTEL_VARS.map((name) => [name, process.env[name]]));
  beforeEach(() => {
    for (const name of OTEL_VARS) delete process.env[name];
  });
  afterEach(async () => {
    await shutdownTracing();
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  const withMemory = () => {
    const exporter = new InMemorySpanExporter();
    initTracing('sluice-test', { spanProcessors: [new SimpleSpanProcessor(exporter)] });
    return exporter;
  };

  describe('off (nothing configured)', () => {
    it('registers no SDK: spans do not record and a message without a parent carries nothing', () => {
      expect(initTracing('sluice-test')).toEqual({
        enabled: false,
        serviceName: 'sluice-test',
        exporters: ['none'],
      });
      const span = startSpan('ingest t/1', SpanKind.CONSUMER);
      expect(span.isRecording()).toBe(false);
      expect(spanCarrier(span)).toEqual({});
      endSpan(span, { code: 'X', message: 'y' });
    });

    it('still passes a device trace context through unchanged', () => {
      initTracing('sluice-test');
      const span = startSpan(
        'ingest t/1',
        SpanKind.CONSUMER,
        extractTraceContext({ traceparent: TRACEPARENT }),
      );
      expect(span.isRecording()).toBe(false);
      expect(spanCarrier(span)).toEqual({ traceparent: TRACEPARENT });
    });

    it.each([
      [{ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1' }],
      [{ OTEL_SDK_DISABLED: 'true', OTEL_TRACES_EXPORTER: 'console' }],
    ])('stays off with %o', (env: Record<string, string>) => {
      Object.assign(process.env, env);
      expect(initTracing('sluice-test').enabled).toBe(false);
    });
  });

  it('turns on with an OTLP endpoint alone, named by OTEL_SERVICE_NAME when set', () => {
    process.env['OTEL_EXPORTER_OTLP_ENDPOINT'] = 'http://127.0.0.1:1';
    process.env['OTEL_SERVICE_NAME'] = 'from-env';
    expect(initTracing('sluice-test')).toEqual({
      enabled: true,
      serviceName: 'from-env',
      exporters: ['otlp'],
    });
  });

  it('is idempotent: the second call keeps the first configuration', () => {
    const first = initTracing('first');
    process.env['OTEL_TRACES_EXPORTER'] = 'console';
    expect(initTracing('second')).toBe(first);
  });

  it('records parent links and attributes, and marks failures as errors', async () => {
    const exporter = withMemory();
    const ingest = startSpan(
      'ingest t/1',
      SpanKind.CONSUMER,
      extractTraceContext({ traceparent: TRACEPARENT }),
    );
    const rule = startSpan('rule r1', SpanKind.INTERNAL, extractTraceContext(spanCarrier(ingest)));
    rule.setAttribute('sluice.rule.id', 'r1');
    endSpan(rule);
    endSpan(ingest, { code: 'BUS_UNAVAILABLE', message: 'no stream' });
    await flushTracing();
    const [ruleSpan, ingestSpan] = exporter.getFinishedSpans();
    expect(ingestSpan?.spanContext().traceId).toBe(TRACE_ID);
    expect(ingestSpan?.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    expect(ingestSpan?.kind).toBe(SpanKind.CONSUMER);
    expect(ingestSpan?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'no stream' });
    expect(ingestSpan?.attributes['error.type']).toBe('BUS_UNAVAILABLE');
    expect(ruleSpan?.spanContext().traceId).toBe(TRACE_ID);
    expect(ruleSpan?.parentSpanContext?.spanId).toBe(ingestSpan?.spanContext().spanId);
    expect(ruleSpan?.attributes['sluice.rule.id']).toBe('r1');
    expect(ruleSpan?.status.code).toBe(SpanStatusCode.UNSET);
    expect(ingestSpan?.resource.attributes['service.name']).toBe('sluice-test');
  });

  it('with sampling off records nothing but still propagates the not-sampled decision', async () => {
    process.env['OTEL_TRACES_SAMPLER'] = 'always_off';
    const exporter = withMemory();
    const span = startSpan('ingest t/1', SpanKind.CONSUMER);
    expect(span.isRecording()).toBe(false);
    const carrier = spanCarrier(span);
    endSpan(span);
    expect(carrier['traceparent']).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
    const child = startSpan('rule r1', SpanKind.INTERNAL, extractTraceContext(carrier));
    expect(child.isRecording()).toBe(false);
    expect(child.spanContext().traceFlags).toBe(TraceFlags.NONE);
    endSpan(child);
    await flushTracing();
    expect(exporter.getFinishedSpans()).toHaveLength(0);
  });

  it('samples by ratio at the root and follows the parent below it', async () => {
    process.env['OTEL_TRACES_SAMPLER'] = 'parentbased_traceidratio';
    process.env['OTEL_TRACES_SAMPLER_ARG'] = '0';
    const exporter = withMemory();
    endSpan(startSpan('root', SpanKind.CONSUMER));
    const sampledParent = extractTraceContext({ traceparent: TRACEPARENT });
    endSpan(startSpan('child of a sampled device span', SpanKind.CONSUMER, sampledParent));
    await flushTracing();
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['child of a sampled device span']);
  });

  it('below a sampled-out parent passes the parent on without asking the SDK (parent-based sampler)', async () => {
    const exporter = withMemory();
    const unsampled = `00-${TRACE_ID}-00f067aa0ba902b7-00`;
    const child = startSpan('rule r1', SpanKind.INTERNAL, extractTraceContext({ traceparent: unsampled }));
    expect(child.isRecording()).toBe(false);
    expect(spanCarrier(child)).toEqual({ traceparent: unsampled });
    endSpan(child);
    await flushTracing();
    expect(exporter.getFinishedSpans()).toHaveLength(0);
  });

  it('lets a sampler that ignores the parent record below a sampled-out parent (always_on)', async () => {
    process.env['OTEL_TRACES_SAMPLER'] = 'always_on';
    const exporter = withMemory();
    const parent = extractTraceContext({ traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-00` });
    const child = startSpan('rule r1', SpanKind.INTERNAL, parent);
    expect(child.isRecording()).toBe(true);
    endSpan(child);
    await flushTracing();
    expect(exporter.getFinishedSpans().map((s) => s.parentSpanContext?.spanId)).toEqual(['00f067aa0ba902b7']);
  });

  it('makes a span active inside withSpan only', () => {
    withMemory();
    const span = startSpan('deliver c1', SpanKind.PRODUCER);
    expect(withSpan(span, () => trace.getActiveSpan())).toBe(span);
    expect(trace.getSpan(context.active())).toBeUndefined();
    endSpan(span);
  });

  it('flushes buffered spans on shutdown', async () => {
    const exporter = new InMemorySpanExporter();
    const { BatchSpanProcessor } = await import('@opentelemetry/sdk-trace-base');
    initTracing('sluice-test', {
      spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 60_000 })],
    });
    endSpan(startSpan('ingest t/1', SpanKind.CONSUMER));
    expect(exporter.getFinishedSpans()).toHaveLength(0);
    const finished = exporter.getFinishedSpans();
    await shutdownTracing();
    expect(finished).toHaveLength(1);
  });
});
