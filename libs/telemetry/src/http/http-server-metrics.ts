import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SluiceMetrics } from '../metrics';

type Middleware = (request: IncomingMessage, response: ServerResponse, next: () => void) => void;

/**
 * Express/Nest middleware: counts each answer of an HTTP API in `sluice_http_requests_total`
 * (`api`, `method`, `status`) and times it in `sluice_http_request_duration_seconds`, when the
 * response is finished (or the client went away). `api` is the route it is mounted on, so the
 * label stays bounded whatever paths clients send.
 *
 * @example consumer.apply(httpServerMetrics(metrics, 'graphql')).forRoutes('graphql');
 */
export function httpServerMetrics(metrics: SluiceMetrics, api: string): Middleware {
  const duration = metrics.httpRequestDuration.labels({ api });
  return (request, response, next) => {
    const stop = duration.startTimer();
    response.once('close', () => {
      stop();
      metrics.httpRequests.inc({ api, method: request.method ?? 'GET', status: String(response.statusCode) });
    });
    next();
  };
}
