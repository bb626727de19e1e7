import { ROOT_CONTEXT, type Context } from '@opentelemetry/api';
import { extractTraceContext, injectTraceContext, type TraceCarrier } from './trace-carrier';

/** MQTT 5 user properties as [key, value] pairs (the order and repeats of the wire). */
export type UserPropertyPairs = readonly (readonly [string, string])[];

const TRACE_KEYS = new Set(['traceparent', 'tracestate']);

/**
 * The context continued from a `traceparent` (and `tracestate`) MQTT 5 user property, as a device
 * sends it; `base` when there is none. With a repeated key, the first one wins (as for HTTP).
 *
 * @example const parent = extractFromUserProperties(message.properties?.userProperties);
 */
export function extractFromUserProperties(
  pairs: UserPropertyPairs | undefined,
  base: Context = ROOT_CONTEXT,
): Context {
  if (!pairs || pairs.length === 0) return base;
  let carrier: TraceCarrier | undefined;
  for (const [key, value] of pairs) {
    // why the length test first: devices send many other properties, lower-casing them allocates
    if (key.length !== 11 && key.length !== 10) continue;
    const name = key.toLowerCase();
    if (!TRACE_KEYS.has(name)) continue;
    carrier ??= {};
    carrier[name] ??= value;
  }
  return carrier ? extractTraceContext(carrier, base) : base;
}

/**
 * `pairs` with the trace context of `ctx` as `traceparent`/`tracestate` user properties, replacing
 * any already there (a republished message continues our trace, not the device's).
 *
 * @example const userProperties = injectIntoUserProperties(trace.setSpan(ROOT_CONTEXT, span), pairs);
 */
export function injectIntoUserProperties(ctx: Context, pairs: UserPropertyPairs = []): [string, string][] {
  const trace = injectTraceContext(ctx);
  const kept: [string, string][] = pairs
    .filter(([key]) => !TRACE_KEYS.has(key.toLowerCase()))
    .map(([key, value]) => [key, value]);
  for (const [key, value] of Object.entries(trace)) kept.push([key, value]);
  return kept;
}
