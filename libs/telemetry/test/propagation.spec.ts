import { createTraceState, defaultTextMapGetter, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import fc from 'fast-check';
import {
  extractFromUserProperties,
  extractTraceContext,
  injectTraceContext,
  spanCarrier,
} from '@sluice/telemetry';
import { injectIntoUserProperties } from '../src/propagation/mqtt5';

// The example of the W3C Trace Context recommendation, section 3.2 and 3.3.
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_ID = '00f067aa0ba902b7';
const TRACEPARENT = `00-${TRACE_ID}-${PARENT_ID}-01`;
const TRACESTATE = 'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7';

describe('trace context in string maps', () => {
  it('extracts a traceparent as a remote, sampled parent', () => {
    const parent = trace.getSpanContext(extractTraceContext({ traceparent: TRACEPARENT }));
    expect(parent).toEqual({
      traceId: TRACE_ID,
      spanId: PARENT_ID,
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
      traceState: undefined,
    });
  });

  it('round-trips traceparent and tracestate unchanged', () => {
    const carrier = { traceparent: TRACEPARENT, tracestate: TRACESTATE };
    expect(injectTraceContext(extractTraceContext(carrier))).toEqual(carrier);
  });

  it('keeps the not-sampled flag', () => {
    const carrier = { traceparent: `00-${TRACE_ID}-${PARENT_ID}-00` };
    expect(trace.getSpanContext(extractTraceContext(carrier))?.traceFlags).toBe(TraceFlags.NONE);
    expect(injectTraceContext(extractTraceContext(carrier))).toEqual(carrier);
  });

  it.each([
    ['no header', {}],
    ['garbage', { traceparent: 'not-a-traceparent' }],
    ['an all-zero trace id', { traceparent: `00-${'0'.repeat(32)}-${PARENT_ID}-01` }],
    ['an all-zero span id', { traceparent: `00-${TRACE_ID}-${'0'.repeat(16)}-01` }],
    ['version ff', { traceparent: `ff-${TRACE_ID}-${PARENT_ID}-01` }],
  ])('starts no parent from %s', (_name, carrier: Record<string, string>) => {
    expect(trace.getSpanContext(extractTraceContext(carrier))).toBeUndefined();
    expect(injectTraceContext(extractTraceContext(carrier))).toEqual({});
  });

  it.each([
    ['version 00 with a suffix', `${TRACEPARENT}-extra`],
    ['upper-case hex', TRACEPARENT.toUpperCase()],
    ['a short trace id', `00-${TRACE_ID.slice(1)}-${PARENT_ID}-01`],
    ['a non-hex flag', `00-${TRACE_ID}-${PARENT_ID}-0g`],
    ['a missing dash', `00-${TRACE_ID}${PARENT_ID}-01x`],
  ])('rejects a traceparent with %s', (_name, traceparent) => {
    expect(trace.getSpanContext(extractTraceContext({ traceparent }))).toBeUndefined();
  });

  it('accepts a later version with more fields, and surrounding blanks', () => {
    const later = extractTraceContext({ traceparent: `01-${TRACE_ID}-${PARENT_ID}-01-whatever` });
    expect(trace.getSpanContext(later)?.traceId).toBe(TRACE_ID);
    expect(trace.getSpanContext(extractTraceContext({ traceparent: ` ${TRACEPARENT} ` }))?.spanId).toBe(
      PARENT_ID,
    );
  });

  it('agrees with the OpenTelemetry W3C propagator on valid and mutated traceparents', () => {
    const reference = new W3CTraceContextPropagator();
    const hex = (n: number) => fc.stringMatching(new RegExp(`^[0-9a-f]{${n}}$`));
    const valid = fc.tuple(hex(2), hex(32), hex(16), hex(2)).map(([v, t, p, f]) => `${v}-${t}-${p}-${f}`);
    const mutated = fc
      .tuple(valid, fc.nat(60), fc.constantFrom('', '-', 'x', 'F', '0', ' -1'))
      .map(([text, at, insert]) => text.slice(0, at) + insert + text.slice(at + 1));
    fc.assert(
      fc.property(fc.oneof(valid, mutated), (traceparent) => {
        const ours = trace.getSpanContext(extractTraceContext({ traceparent }));
        const theirs = trace.getSpanContext(
          reference.extract(ROOT_CONTEXT, { traceparent }, defaultTextMapGetter),
        );
        expect(ours).toEqual(theirs);
      }),
      { numRuns: 2_000 },
    );
  });

  it('returns the base context when there are no headers', () => {
    expect(extractTraceContext(undefined)).toBe(ROOT_CONTEXT);
  });

  it('reads Node HTTP headers (lower case, arrays) and mixed-case keys', () => {
    const http = { traceparent: [TRACEPARENT, `00-${'1'.repeat(32)}-${PARENT_ID}-01`], host: 'x' };
    expect(trace.getSpanContext(extractTraceContext(http))?.traceId).toBe(TRACE_ID);
    const mixed = { Traceparent: TRACEPARENT };
    expect(trace.getSpanContext(extractTraceContext(mixed))?.traceId).toBe(TRACE_ID);
  });

  it('reads kafkajs headers (Buffers)', () => {
    const kafka = { traceparent: Buffer.from(TRACEPARENT), tracestate: Buffer.from(TRACESTATE) };
    const ctx = extractTraceContext(kafka);
    expect(trace.getSpanContext(ctx)?.spanId).toBe(PARENT_ID);
    expect(injectTraceContext(ctx)['tracestate']).toBe(TRACESTATE);
  });

  it('writes into the carrier it is given and keeps other keys', () => {
    const headers = { 'content-type': 'application/json' };
    const out = injectTraceContext(extractTraceContext({ traceparent: TRACEPARENT }), headers);
    expect(out).toBe(headers);
    expect(out).toEqual({ 'content-type': 'application/json', traceparent: TRACEPARENT });
  });

  it('gives the carrier of a span: its own span id under the same trace', () => {
    const span = trace.wrapSpanContext({ traceId: TRACE_ID, spanId: 'b7ad6b7169203331', traceFlags: 1 });
    expect(spanCarrier(span)).toEqual({ traceparent: `00-${TRACE_ID}-b7ad6b7169203331-01` });
  });

  it('gives the carrier of an unsampled span with a tracestate, as the W3C propagator writes it', () => {
    const span = trace.wrapSpanContext({
      traceId: TRACE_ID,
      spanId: 'b7ad6b7169203331',
      traceFlags: TraceFlags.NONE,
      traceState: createTraceState(TRACESTATE),
    });
    const expected = { traceparent: `00-${TRACE_ID}-b7ad6b7169203331-00`, tracestate: TRACESTATE };
    expect(spanCarrier(span)).toEqual(expected);
    expect(injectTraceContext(trace.setSpan(ROOT_CONTEXT, span))).toEqual(expected);
  });

  it('gives an empty carrier for the invalid (no-op) span', () => {
    expect(
      spanCarrier(trace.wrapSpanContext({ traceId: '0'.repeat(32), spanId: '0'.repeat(16), traceFlags: 0 })),
    ).toEqual({});
  });
});

describe('trace context in MQTT 5 user properties', () => {
  it('continues a device traceparent found among other user properties', () => {
    const pairs: [string, string][] = [
      ['site', 'north'],
      ['traceparent', TRACEPARENT],
      ['tracestate', TRACESTATE],
    ];
    const ctx = extractFromUserProperties(pairs);
    expect(trace.getSpanContext(ctx)).toMatchObject({ traceId: TRACE_ID, spanId: PARENT_ID, isRemote: true });
    expect(injectTraceContext(ctx)).toEqual({ traceparent: TRACEPARENT, tracestate: TRACESTATE });
  });

  it('takes the first of repeated traceparent properties, in any case', () => {
    const other = `00-${'a'.repeat(32)}-${PARENT_ID}-01`;
    const ctx = extractFromUserProperties([
      ['TraceParent', TRACEPARENT],
      ['traceparent', other],
    ]);
    expect(trace.getSpanContext(ctx)?.traceId).toBe(TRACE_ID);
  });

  it('has no parent without a traceparent property', () => {
    expect(extractFromUserProperties(undefined)).toBe(ROOT_CONTEXT);
    expect(extractFromUserProperties([['site', 'north']])).toBe(ROOT_CONTEXT);
    expect(trace.getSpanContext(extractFromUserProperties([['traceparent', 'nope']]))).toBeUndefined();
  });

  it('replaces the trace properties on injection and keeps the others in order', () => {
    const ours = trace.setSpan(
      ROOT_CONTEXT,
      trace.wrapSpanContext({ traceId: TRACE_ID, spanId: 'b7ad6b7169203331', traceFlags: 1 }),
    );
    const pairs: [string, string][] = [
      ['a', '1'],
      ['traceparent', `00-${'c'.repeat(32)}-${PARENT_ID}-01`],
      ['b', '2'],
    ];
    expect(injectIntoUserProperties(ours, pairs)).toEqual([
      ['a', '1'],
      ['b', '2'],
      ['traceparent', `00-${TRACE_ID}-b7ad6b7169203331-01`],
    ]);
    expect(pairs).toHaveLength(3);
  });
});
