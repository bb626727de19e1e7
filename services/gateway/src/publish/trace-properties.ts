import { context, isSpanContextValid, trace } from '@opentelemetry/api';
import type { TraceProperties } from '@sluice/publish';
import { extractTraceContext, injectTraceContext } from '@sluice/telemetry';
import type { IncomingMessage } from 'node:http';

/**
 * The trace context to put on published messages: the request's server span when tracing is on
 * (so ingest's span becomes its child), else the caller's `traceparent`/`tracestate` headers as
 * they came; empty when there is neither.
 *
 * @example await publisher.publish(principal, body, tracePropertiesOf(request));
 */
export function tracePropertiesOf(request: Pick<IncomingMessage, 'headers'>): TraceProperties {
  const active = context.active();
  const span = trace.getSpanContext(active);
  if (span && isSpanContextValid(span)) return injectTraceContext(active);
  return injectTraceContext(extractTraceContext(request.headers));
}
