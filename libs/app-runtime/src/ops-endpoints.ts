import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { NestExpressApplication } from '@nestjs/platform-express';

// why local shapes: express is Nest's (platform-express); its types are not a dependency here
type Request = IncomingMessage;
type Response = ServerResponse & { json(body: unknown): unknown };

/** Paths that tell about the tenants (readiness probes name their sources, metrics label them). */
const DETAILED = new Set(['/metrics', '/health/ready']);

export interface OpsEndpointsOptions {
  /** SLUICE_OPS_PORT: where /metrics and the detailed /health/ready answer without credentials. */
  opsPort?: number | undefined;
  /** SLUICE_OPS_HOST: 127.0.0.1 by default, so only the machine (or the pod) reaches it. */
  opsHost: string;
  /**
   * The operator key, on a port with a public API (the gateway, the embedded mode): with it
   * (`Authorization: Bearer <key>`) the public port also answers /metrics and the details. Without
   * one and without an ops port, the service's HTTP port is its operational port.
   */
  operatorKey?: string | undefined;
}

function bearerIs(header: string | undefined, key: string): boolean {
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (!match) return false;
  const a = Buffer.from(match[1]!);
  const b = Buffer.from(key);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Keeps /metrics and the detailed /health/ready off the public port. On the public port, without
 * the operator key, /metrics answers 404 and /health/ready only its status (200 or 503, body
 * `{"status":...}`), enough for probes; /health/live is always open and names nothing. With
 * `opsPort`, the same app also listens there (on `opsHost`) and answers everything. Call before
 * `listen`; the returned function starts the ops listener.
 *
 * @example const listenOps = guardOpsEndpoints(app, { opsPort: 9464, opsHost: '127.0.0.1', operatorKey });
 */
export function guardOpsEndpoints(
  app: NestExpressApplication,
  options: OpsEndpointsOptions,
): () => Promise<Server | undefined> {
  const open = options.opsPort === undefined && options.operatorKey === undefined;
  app.use((req: Request, res: Response, next: () => void) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (open || !DETAILED.has(path)) return next();
    if (options.opsPort !== undefined && req.socket.localPort === options.opsPort) return next();
    if (options.operatorKey !== undefined && bearerIs(req.headers.authorization, options.operatorKey)) {
      return next();
    }
    if (path === '/metrics') {
      res.statusCode = 404;
      res.json({ statusCode: 404, message: 'Cannot GET /metrics' });
      return;
    }
    // the probe's answer without its details: which sources and connections are up names tenants
    const json = res.json.bind(res);
    res.json = (body: unknown) =>
      json({
        status: (body as { status?: unknown } | null)?.status ?? (res.statusCode < 300 ? 'ok' : 'error'),
      });
    next();
  });
  return async () => {
    if (options.opsPort === undefined) return undefined;
    const server = createServer(
      app.getHttpAdapter().getInstance() as (req: IncomingMessage, res: ServerResponse) => void,
    );
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.opsPort, options.opsHost, () => resolve());
    });
    return server;
  };
}
