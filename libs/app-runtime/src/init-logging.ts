import { Logger } from '@nestjs/common';
import { effectiveConfigOf } from '@sluice/config';
import { createLogger, NestJsonLogger, type SluiceLogLevel } from '@sluice/telemetry';

let installed: NestJsonLogger | undefined;

/**
 * Makes every log line of this process JSON: builds the pino logger at the configured level,
 * makes it the logger of every `new Logger('Ctx')` (also those used before Nest starts), and
 * writes the effective configuration (secrets masked) as the first line. Idempotent: later calls
 * return the first logger.
 *
 * @example const logger = initLogging('rules', config); // before anything logs
 */
export function initLogging(service: string, config: { SLUICE_LOG_LEVEL: SluiceLogLevel }): NestJsonLogger {
  if (installed) return installed;
  const pino = createLogger({ level: config.SLUICE_LOG_LEVEL, service });
  installed = new NestJsonLogger(pino);
  // why: Nest's static Logger prints coloured text until an app sets its logger; lines written
  // before NestFactory.create (the embedded broker, the generated admin key) must be JSON too
  Logger.overrideLogger(installed);
  const effective = effectiveConfigOf(config);
  if (effective) pino.info({ context: 'Config', config: effective }, 'Effective configuration');
  return installed;
}
