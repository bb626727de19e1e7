import type { IncomingMessage, ServerResponse } from 'node:http';
import { context, trace } from '@opentelemetry/api';
import { extractTraceContext } from '../propagation/trace-carrier';
import { endSpan, SpanKind, startSpan, tracingState } from '../tracing';

type Middleware = (request: IncomingMessage, response: ServerResponse, next: () => void) => void;

/**
 * Express/Nest middleware: one SERVER span per HTTP request, named `<METHOD> <path>`, continuing
 * the caller's W3C `traceparent`, active while the request is handled (so what the handler
 * publishes, and the log lines it writes, join that trace), ended when the response is closed.
 * With tracing off it only calls `next()`.
 *
 * @example app.use('/api/v5/publish', httpServerSpans());
 */
export function httpServerSpans(): Middleware {
  return (request, response, next) => {
    if (!tracingState()?.enabled) {
      next();
      return;
    }
    const parent = extractTraceContext(request.headers);
    // why originalUrl: behind a mounted path Express rewrites `url`; the query is left out (it may
    // carry tokens and it makes span names unbounded)
    const url = (request as IncomingMessage & { originalUrl?: string }).originalUrl ?? request.url ?? '/';
    const path = url.split('?', 1)[0] ?? '/';
    const method = request.method ?? 'GET';
    const span = startSpan(`${method} ${path}`, SpanKind.SERVER, parent);
    if (span.isRecording()) {
      span.setAttributes({ 'http.request.method': method, 'url.path': path, 'http.route': path });
      const agent = request.headers['user-agent'];
      if (agent) span.setAttribute('user_agent.original', agent);
    }
    response.once('close', () => {
      const status = response.statusCode;
      if (span.isRecording()) span.setAttribute('http.response.status_code', status);
      // why only 5xx: a 4xx is the caller's mistake, not a failure of the server (OTel HTTP semconv)
      endSpan(span, status >= 500 ? { code: String(status), message: `HTTP ${status}` } : undefined);
    });
    context.with(trace.setSpan(parent, span), next);
  };
}
