import type { LoggerLike, SourceLogger } from './types';

/** Accepts our logger shape or Nest's (`log` instead of `info`); no logger logs nothing. */
export function toSourceLogger(logger: LoggerLike | undefined): SourceLogger {
  if (!logger) return { info: () => undefined, warn: () => undefined, error: () => undefined };
  if ('info' in logger) return logger;
  return { info: (m) => logger.log(m), warn: (m) => logger.warn(m), error: (m) => logger.error(m) };
}
