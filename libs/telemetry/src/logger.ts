import { isSpanContextValid, trace } from '@opentelemetry/api';
import pino, { type DestinationStream, type Level, type Logger } from 'pino';
import { prettyStream } from './logger/pretty-stream';
import { redactText, redactValue } from './logger/redact';

/** `SLUICE_LOG_LEVEL`: Nest's level names, from the fewest lines to the most. */
export type SluiceLogLevel = 'fatal' | 'error' | 'warn' | 'log' | 'debug' | 'verbose';
export type SluiceLogFormat = 'json' | 'pretty';

const PINO_LEVEL: Record<SluiceLogLevel, Level> = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};

export interface LoggerOptions {
  /** Lowest level written; `SLUICE_LOG_LEVEL`, else `log`. */
  level?: SluiceLogLevel;
  /** `SLUICE_LOG_FORMAT`, else `pretty` at a terminal and `json` otherwise. */
  format?: SluiceLogFormat;
  /** The `service` field of every line. */
  service?: string;
  /** Where lines go (stdout by default); tests pass a collecting stream. */
  destination?: DestinationStream;
}

/**
 * A pino logger writing one JSON object per line: `level` (a name), `time` (ISO 8601), `service`,
 * `msg`, the fields passed, and `trace_id`/`span_id` when a span is active. Fields named like
 * secrets (password, secret, token, key, authorization...) and credentials in URLs are masked.
 *
 * @example createLogger({ service: 'rules' }).info({ rule: 'r1' }, 'rule loaded');
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? logLevelFromEnv();
  const format = options.format ?? logFormatFromEnv();
  const destination =
    format === 'pretty'
      ? prettyStream(options.destination ?? process.stdout, !options.destination && process.stdout.isTTY)
      : (options.destination ?? pino.destination(1));
  return pino(
    {
      level: PINO_LEVEL[level],
      base: { service: options.service, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        log: (object) => redactValue(object) as Record<string, unknown>,
      },
      hooks: {
        // why: messages are free text built by callers; URLs in them may carry credentials
        logMethod(args, method) {
          const masked = args.map((arg) => (typeof arg === 'string' ? redactText(arg) : arg));
          method.apply(this, masked as Parameters<typeof method>);
        },
      },
      mixin: traceFields,
    },
    destination,
  );
}

/** The active span's ids, the fields that join a log line to its trace. */
function traceFields(): Record<string, string> {
  const span = trace.getActiveSpan();
  if (!span) return {};
  const context = span.spanContext();
  if (!isSpanContextValid(context)) return {};
  return { trace_id: context.traceId, span_id: context.spanId };
}

/**
 * `SLUICE_LOG_LEVEL` from `env`, `log` when unset or unknown.
 *
 * @example logLevelFromEnv({ SLUICE_LOG_LEVEL: 'debug' }); // 'debug'
 */
export function logLevelFromEnv(env: NodeJS.ProcessEnv = process.env): SluiceLogLevel {
  const value = env['SLUICE_LOG_LEVEL'];
  return value && value in PINO_LEVEL ? (value as SluiceLogLevel) : 'log';
}

/**
 * `SLUICE_LOG_FORMAT` from `env`; unset: `pretty` when stdout is a terminal, `json` otherwise.
 *
 * @example logFormatFromEnv({}, false); // 'json'
 */
export function logFormatFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  isTty = process.stdout.isTTY === true,
): SluiceLogFormat {
  const value = env['SLUICE_LOG_FORMAT'];
  if (value === 'json' || value === 'pretty') return value;
  return isTty ? 'pretty' : 'json';
}

/** The pino level of a Nest level name. */
export function pinoLevel(level: SluiceLogLevel): Level {
  return PINO_LEVEL[level];
}
