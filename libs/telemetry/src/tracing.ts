import {
  context,
  INVALID_SPAN_CONTEXT,
  propagation,
  ProxyTracerProvider,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { NodeSDK } from '@opentelemetry/sdk-node';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';

export { SpanKind, SpanStatusCode };
export type { Context, Span };

export interface TracingOptions {
  /** Span processors to use instead of the ones `OTEL_TRACES_EXPORTER` names (tests, benchmarks). */
  spanProcessors?: SpanProcessor[];
}

export interface TracingState {
  /** False when no exporter is configured: spans are then the API's no-op spans. */
  readonly enabled: boolean;
  readonly serviceName: string;
  /** `OTEL_TRACES_EXPORTER` as applied (`none` when tracing is off). */
  readonly exporters: readonly string[];
}

let state: TracingState | undefined;
let sdk: NodeSDK | undefined;
let tracer: Tracer | undefined;
/** True when the sampler follows the parent's decision (the default `parentbased_*` ones). */
let followsParent = true;

/**
 * Sets up OpenTelemetry tracing for this process from the standard `OTEL_*` variables; call it
 * first, before anything creates spans. Idempotent: later calls return the first call's state.
 *
 * - `OTEL_TRACES_EXPORTER`: `otlp`, `console` or `none`. Unset means `otlp` when an
 *   `OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT` is set and `none` otherwise, so an unconfigured
 *   process registers no SDK and its spans are the API's no-op spans.
 * - `OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_EXPORTER_OTLP_TRACES_PROTOCOL` (`http/protobuf`,
 *   `http/json`), `OTEL_TRACES_SAMPLER`, `OTEL_TRACES_SAMPLER_ARG`, `OTEL_BSP_*`: as the spec says.
 * - `OTEL_SERVICE_NAME` overrides `serviceName`; `OTEL_SDK_DISABLED=true` turns everything off.
 *
 * The W3C trace-context propagator is registered globally either way.
 *
 * @example initTracing('sluice-rules'); // then NestFactory.create(...)
 */
export function initTracing(serviceName: string, options: TracingOptions = {}): TracingState {
  if (state) return state;
  tracer = undefined;
  const env = process.env;
  const name = env['OTEL_SERVICE_NAME'] || serviceName;
  const exporters = options.spanProcessors ? ['custom'] : configuredExporters(env);
  if (exporters.length === 0 || exporters.includes('none') || isTrue(env['OTEL_SDK_DISABLED'])) {
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    state = { enabled: false, serviceName: name, exporters: ['none'] };
    return state;
  }
  // why loaded here, not imported: the SDK and its exporters are ~50 MiB of RSS a process without
  // tracing never uses (bench:flow heap profiles: the live heap is mostly loaded code)
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { NodeSDK: Sdk } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  sdk = new Sdk({
    serviceName: name,
    spanProcessors: options.spanProcessors,
    // why empty: NodeSDK defaults metrics and logs to OTLP too; metrics are Prometheus (/metrics),
    // and logs go to stdout as JSON
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [],
  });
  const sampler = (env['OTEL_TRACES_SAMPLER'] ?? '').trim().toLowerCase();
  followsParent = sampler === '' || sampler.startsWith('parentbased_') || sampler === 'always_off';
  sdk.start();
  state = { enabled: true, serviceName: name, exporters };
  return state;
}

/**
 * The state set by {@link initTracing}, or undefined before it ran.
 *
 * @example if (tracingState()?.enabled) logger.log('tracing on');
 */
export function tracingState(): TracingState | undefined {
  return state;
}

/**
 * Ends tracing: exports the spans still buffered, then unregisters the SDK so that
 * {@link initTracing} may run again (tests).
 *
 * @example await app.close(); await shutdownTracing();
 */
export async function shutdownTracing(): Promise<void> {
  const current = sdk;
  state = undefined;
  sdk = undefined;
  tracer = undefined;
  followsParent = true;
  try {
    await current?.shutdown();
  } finally {
    trace.disable();
    context.disable();
    propagation.disable();
  }
}

/**
 * Exports the spans ended so far (a no-op without an SDK).
 *
 * @example endSpan(span); await flushTracing();
 */
export async function flushTracing(): Promise<void> {
  const provider: object = trace.getTracerProvider();
  const delegate: object = provider instanceof ProxyTracerProvider ? provider.getDelegate() : provider;
  if ('forceFlush' in delegate && typeof delegate.forceFlush === 'function') {
    await (delegate.forceFlush as () => Promise<void>).call(delegate);
  }
}

/**
 * The tracer of Sluice's own spans. Spans of a process without tracing, and spans of a message
 * that was sampled out, are non-recording: check `span.isRecording()` before building attributes.
 *
 * @example const span = sluiceTracer().startSpan('ingest t/1', { kind: SpanKind.CONSUMER }, parent);
 */
export function sluiceTracer(): Tracer {
  // why cached: getTracer costs ~80 ns a call; the cache is reset when tracing is (re)configured
  return (tracer ??= trace.getTracer('sluice'));
}

/**
 * Starts a span as a child of the span context held by `parent` (a new trace when it holds none).
 *
 * @example const span = startSpan(`rule ${rule.id}`, SpanKind.INTERNAL, extractTraceContext(envelope.trace));
 */
export function startSpan(name: string, kind: SpanKind, parent: Context = ROOT_CONTEXT): Span {
  if (!sdk) {
    // why: without an SDK the API's no-op tracer would do the same, through more calls
    return trace.wrapSpanContext(trace.getSpanContext(parent) ?? INVALID_SPAN_CONTEXT);
  }
  if (followsParent) {
    // why: below a sampled-out parent a parent-based sampler says no anyway; skipping the SDK
    // (sampler, id generation) makes the rules and delivery spans of such a message nearly free,
    // and passing the parent's context on keeps the not-sampled decision for the target
    const parentContext = trace.getSpanContext(parent);
    if (parentContext && (parentContext.traceFlags & TraceFlags.SAMPLED) === 0) {
      return trace.wrapSpanContext(parentContext);
    }
  }
  return sluiceTracer().startSpan(name, { kind }, parent);
}

/**
 * Ends `span`, with status error and the failure's code and message when there is one.
 *
 * @example endSpan(span, outcome.ok ? undefined : outcome);
 */
export function endSpan(span: Span, failure?: { code?: string; message: string }): void {
  if (failure && span.isRecording()) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: failure.message });
    if (failure.code) span.setAttribute('error.type', failure.code);
  }
  span.end();
}

/**
 * Runs `fn` with `span` as the active span (when it records), so the logs written meanwhile
 * carry its ids.
 *
 * @example await withSpan(span, () => action.send(records));
 */
export function withSpan<T>(span: Span, fn: () => T): T {
  // why not for non-recording spans: nothing of them is exported, so there is no trace to join
  // the logs to, and a sampled-out message should not pay for switching contexts
  if (!span.isRecording()) return fn();
  return context.with(trace.setSpan(context.active(), span), fn);
}

function configuredExporters(env: NodeJS.ProcessEnv): string[] {
  const listed = (env['OTEL_TRACES_EXPORTER'] ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '' && s !== 'null');
  if (listed.length > 0) return listed;
  const endpoint = env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'] || env['OTEL_EXPORTER_OTLP_ENDPOINT'];
  return endpoint ? ['otlp'] : [];
}

function isTrue(value: string | undefined): boolean {
  return value?.trim().toLowerCase() === 'true';
}
