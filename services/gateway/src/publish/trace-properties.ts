import { context } from '@opentelemetry/api';
import type { TraceProperties } from '@sluice/publish';
import { extractTraceContext, injectTraceContext } from '@sluice/telemetry';
import type { IncomingMessage } from 'node:http';

/**
 * The trace context to put on published messages: the active span when tracing is on, else the
 * caller's `traceparent`/`tracestate` headers as they came; empty when there is neither.
 *
 * @example await publisher.publish(principal, body, tracePropertiesOf(request));
 */
export function tracePropertiesOf(request: Pick<IncomingMessage, 'headers'>): TraceProperties {
  return injectTraceContext(extractTraceContext(request.headers, context.active()));
}
