import 'reflect-metadata';
import { Logger, type DynamicModule, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { initTracing, shutdownTracing } from '@sluice/telemetry';
import { initLogging } from './init-logging';
import { guardOpsEndpoints } from './ops-endpoints';

export interface AppBasics {
  SLUICE_HTTP_PORT: number;
  SLUICE_HTTP_HOST: string;
  SLUICE_LOG_LEVEL: 'error' | 'warn' | 'log' | 'debug' | 'verbose';
  /** Bound of a graceful stop (`shutdownConfigShape` in every service's configuration). */
  SLUICE_SHUTDOWN_TIMEOUT_MS: number;
  /** Where /metrics and the detailed /health/ready answer (see {@link guardOpsEndpoints}). */
  SLUICE_OPS_PORT?: number | undefined;
  SLUICE_OPS_HOST?: string;
}

export interface StartNestAppOptions {
  /** Runs on SIGTERM/SIGINT before Nest's shutdown hooks (the embedded broker stops accepting first). */
  beforeClose?: () => Promise<void>;
  /** The operator key of an app with a public API (gateway, embedded): it guards /metrics there. */
  operatorKey?: string;
  /**
   * SIGUSR2 (ingest's "retire"): runs this, then closes as SIGTERM does; a replica scaled down for
   * good hands its share back (docs/operations.md, "Scaling ingest").
   */
  onRetire?: (app: INestApplication) => void;
  /** Installs request handlers that run before the body parsers (the gateway's GraphQL gate). */
  beforeBodyParser?: (app: INestApplication) => void;
}

/**
 * Creates a Sluice Nest app, wires SIGTERM/SIGINT to a graceful close (stop taking work, finish
 * what is in flight, drain NATS, close MQTT) and listens on `SLUICE_HTTP_PORT`.
 *
 * @example const app = await startNestApp('rules', RulesAppModule.forRoot(config), config);
 */
export async function startNestApp(
  name: string,
  module: DynamicModule,
  config: AppBasics,
  options: StartNestAppOptions = {},
): Promise<INestApplication> {
  // why first: spans and log lines of everything Nest starts must see the tracer and the logger
  const service = name.split(' ')[0] ?? name;
  initTracing(service === 'sluice' ? 'sluice' : `sluice-${service}`);
  const logger = initLogging(service, config);
  const app = await NestFactory.create<NestExpressApplication>(module, { logger, abortOnError: false });
  // why: the publish API takes payloads up to SLUICE_PUBLISH_MAX_PAYLOAD_BYTES (1 MiB by default,
  // more in base64 and bulk); it answers 413 itself, so the parser only needs a generous ceiling
  options.beforeBodyParser?.(app);
  app.useBodyParser('json', { limit: '16mb' });
  const opsHost = config.SLUICE_OPS_HOST ?? '127.0.0.1';
  const listenOps = guardOpsEndpoints(app, {
    opsPort: config.SLUICE_OPS_PORT,
    opsHost,
    operatorKey: options.operatorKey,
  });
  closeOnSignals(app, name, config.SLUICE_SHUTDOWN_TIMEOUT_MS, options);
  await app.listen(config.SLUICE_HTTP_PORT, config.SLUICE_HTTP_HOST);
  const ops = await listenOps();
  if (ops) app.getHttpServer().once('close', () => ops.close());
  new Logger('Sluice').log(
    `${name} ready: http://${config.SLUICE_HTTP_HOST}:${config.SLUICE_HTTP_PORT}/health/ready` +
      (ops ? `; metrics and details: http://${opsHost}:${config.SLUICE_OPS_PORT}/metrics` : ''),
  );
  return app;
}

/**
 * SIGTERM/SIGINT run `beforeClose`, then Nest's shutdown hooks in order (stop taking work, finish
 * what is in flight, then close connections) and exit 0 when that went well, 1 when it did not,
 * or when it took longer than `timeoutMs` (a handler waiting on a target that never answers): what
 * was not acknowledged then stays stored in the bus and is delivered after the next start.
 */
function closeOnSignals(
  app: INestApplication,
  name: string,
  timeoutMs: number,
  options: StartNestAppOptions,
): void {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    const logger = new Logger('Sluice');
    logger.log(`${name}: ${signal} received, shutting down gracefully (at most ${timeoutMs} ms)`);
    setTimeout(() => {
      logger.error(
        `${name}: shutdown timeout of ${timeoutMs} ms (SLUICE_SHUTDOWN_TIMEOUT_MS) reached with work ` +
          'still in flight; exiting. What was not acknowledged stays stored and is delivered after the next start.',
      );
      process.exit(1);
    }, timeoutMs).unref();
    (options.beforeClose?.() ?? Promise.resolve())
      .then(() => app.close())
      // why after close: spans of the work finished during close are exported too
      .then(() => shutdownTracing())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error(`${name}: shutdown failed: ${(error as Error).stack ?? String(error)}`);
          process.exit(1);
        },
      );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  const onRetire = options.onRetire;
  if (onRetire) {
    process.once('SIGUSR2', (signal) => {
      if (closing) return;
      onRetire(app);
      onSignal(signal);
    });
  }
}
