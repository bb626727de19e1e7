import type { LoggerService, LogLevel } from '@nestjs/common';
import type { Level, Logger } from 'pino';
import { pinoLevel, type SluiceLogLevel } from '../logger';

const STACK_LINE = /\n\s+at /;

/**
 * Nest's logger interface over pino, so Nest's own lines (and every `new Logger('Ctx')`) become
 * JSON with `context`, `trace_id` and `span_id`. Pass it to `NestFactory.create(m, { logger })`.
 *
 * @example const app = await NestFactory.create(AppModule, { logger: new NestJsonLogger(createLogger()) });
 */
export class NestJsonLogger implements LoggerService {
  constructor(readonly pino: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params, false);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params, true);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params, false);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params, false);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params, false);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params, true);
  }

  /** Nest passes the enabled levels; the lowest of them becomes pino's level. */
  setLogLevels(levels: LogLevel[]): void {
    const order: SluiceLogLevel[] = ['verbose', 'debug', 'log', 'warn', 'error', 'fatal'];
    const lowest = order.find((level) => levels.includes(level));
    this.pino.level = lowest ? pinoLevel(lowest) : 'silent';
  }

  // why this parsing: Nest's Logger calls `log(message, context)` and `error(message, stack, context)`
  // (stack possibly undefined), and the last string parameter is the context, as in ConsoleLogger
  private write(level: Level, message: unknown, params: unknown[], mayHaveStack: boolean): void {
    if (!this.pino.isLevelEnabled(level)) return;
    const rest = [...params];
    const fields: Record<string, unknown> = {};
    if (rest.length > 0 && typeof rest[rest.length - 1] === 'string') fields['context'] = rest.pop();
    if (mayHaveStack && rest.length > 0) {
      const last = rest[rest.length - 1];
      if (last === undefined) rest.pop();
      else if (typeof last === 'string' && STACK_LINE.test(last)) fields['stack'] = rest.pop();
    }
    if (rest.length > 0) fields['args'] = rest;
    if (message instanceof Error) {
      fields['err'] = message;
      this.pino[level](fields, message.message);
    } else if (typeof message === 'object' && message !== null) {
      this.pino[level]({ ...fields, ...(message as Record<string, unknown>) });
    } else {
      this.pino[level](fields, String(message));
    }
  }
}
