import {
  context as contextApi,
  createTraceState,
  INVALID_SPANID,
  INVALID_TRACEID,
  ROOT_CONTEXT,
  trace,
  type Context,
  type Span,
  type SpanContext,
  type TextMapGetter,
  type TextMapSetter,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

/** A plain string map that carries W3C trace context (`traceparent`, `tracestate`). */
export type TraceCarrier = Record<string, string>;

/**
 * A header value as the transports give it: NATS and our own maps give strings, Node's HTTP
 * server gives `string | string[]`, kafkajs gives `Buffer | string | (Buffer | string)[]`.
 */
export type HeaderValue =
  string | Buffer | Uint8Array | readonly (string | Buffer | Uint8Array)[] | undefined;
export type HeaderMap = Readonly<Record<string, HeaderValue>>;

// why a fixed W3C propagator rather than the global one: propagation must work (pass a device's
// traceparent on to the target) even when no SDK is registered because tracing is off.
const w3c = new W3CTraceContextPropagator();

const headerGetter: TextMapGetter<HeaderMap> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const value = carrier[key] ?? findCaseInsensitive(carrier, key);
    if (value === undefined) return undefined;
    if (typeof value === 'string') return value;
    if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
    return (value as readonly (string | Uint8Array)[]).map((v) =>
      typeof v === 'string' ? v : Buffer.from(v).toString('utf8'),
    );
  },
};

const mapSetter: TextMapSetter<TraceCarrier> = {
  set: (carrier, key, value) => {
    carrier[key] = value;
  },
};

function findCaseInsensitive(carrier: HeaderMap, key: string): HeaderValue {
  // why the length test first: most maps hold no such key, and lower-casing every name allocates
  for (const name in carrier) {
    if (name.length === key.length && name.toLowerCase() === key) return carrier[name];
  }
  return undefined;
}

/**
 * The context whose parent is the trace context found in `headers` (a `traceparent`, optionally
 * a `tracestate`); `base` (the root context by default) when there is none or it is malformed.
 * Works for our `trace` maps, NATS headers, Kafka headers and Node HTTP request headers.
 *
 * @example const parent = extractTraceContext(request.headers); // IncomingHttpHeaders
 */
export function extractTraceContext(headers: HeaderMap | undefined, base: Context = ROOT_CONTEXT): Context {
  if (!headers) return base;
  const traceparent = first(headerGetter.get(headers, 'traceparent'));
  const spanContext = traceparent === undefined ? undefined : parseTraceparent(traceparent.trim());
  if (!spanContext) return base;
  const tracestate = headerGetter.get(headers, 'tracestate');
  if (tracestate !== undefined && tracestate.length > 0) {
    spanContext.traceState = createTraceState(Array.isArray(tracestate) ? tracestate.join(',') : tracestate);
  }
  return trace.setSpanContext(base, spanContext);
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * A W3C `traceparent` (version-traceid-parentid-flags, lower-case hex; version ff and all-zero ids
 * invalid; version 00 exactly 55 characters, later versions may append `-...`), or undefined.
 */
export function parseTraceparent(value: string): SpanContext | undefined {
  // why by hand: this runs once per stage per message; the propagator's regular expression with
  // look-aheads, plus the id checks after it, cost about ten times as much
  if (value.length < 55 || value[2] !== '-' || value[35] !== '-' || value[52] !== '-') return undefined;
  const version = value.slice(0, 2);
  if (!isLowerHex(version) || version === 'ff') return undefined;
  if (value.length > 55 && (version === '00' || value[55] !== '-')) return undefined;
  const traceId = value.slice(3, 35);
  const spanId = value.slice(36, 52);
  const flags = value.slice(53, 55);
  if (!isLowerHex(traceId) || !isLowerHex(spanId) || !isLowerHex(flags)) return undefined;
  if (traceId === INVALID_TRACEID || spanId === INVALID_SPANID) return undefined;
  return { traceId, spanId, traceFlags: parseInt(flags, 16), isRemote: true };
}

function isLowerHex(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

/**
 * Writes the span context of `ctx` (the active context by default) into `carrier` as `traceparent`
 * and `tracestate`, and returns the carrier. Writes nothing when `ctx` holds no valid span context.
 *
 * @example const headers = injectTraceContext(trace.setSpan(ROOT_CONTEXT, span));
 */
export function injectTraceContext(
  ctx: Context = contextApi.active(),
  carrier: TraceCarrier = {},
): TraceCarrier {
  w3c.inject(ctx, carrier, mapSetter);
  return carrier;
}

/**
 * The `traceparent`/`tracestate` of one span, as a new string map (empty for an invalid span,
 * e.g. the no-op span of an unconfigured process without a parent).
 *
 * @example envelope.trace = spanCarrier(span);
 */
export function spanCarrier(span: Span, carrier: TraceCarrier = {}): TraceCarrier {
  // why by hand: this runs three times per message; going through a context and the propagator
  // cost ~0.7 µs even for the no-op span, this costs a few ns (same output, W3C version 00)
  const spanContext = span.spanContext();
  if (spanContext.traceId === INVALID_TRACEID || spanContext.spanId === INVALID_SPANID) return carrier;
  const flags = (spanContext.traceFlags & 0xff).toString(16).padStart(2, '0');
  carrier['traceparent'] = `00-${spanContext.traceId}-${spanContext.spanId}-${flags}`;
  const state = spanContext.traceState?.serialize();
  if (state) carrier['tracestate'] = state;
  return carrier;
}
