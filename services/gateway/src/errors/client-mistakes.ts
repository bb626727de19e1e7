import type { Logger } from '@nestjs/common';
import { LogSampler } from '@sluice/telemetry';

/** Codes that say someone tried a key or a tenant that is not theirs: worth a warning, not an error. */
const refusals = new Set(['UNAUTHORIZED', 'UNAUTHENTICATED', 'FORBIDDEN']);

/**
 * Logs a client's mistake (an unknown API key, a validation error, a quota refusal): `warn` for a
 * refused key, `info` for the rest, never a stack trace, and at most one line per API and code a
 * minute with the count left out, so a scanner cannot flood the log. Errors are for Sluice's own
 * failures (docs/operations.md, "Logs").
 *
 * @example mistakes.note('GraphQL', 'INPUT_INVALID', 'input.name: too short', traceId);
 */
export class ClientMistakes {
  private readonly sampler = new LogSampler();

  constructor(private readonly logger: Pick<Logger, 'log' | 'warn'>) {}

  note(api: string, code: string, message: string, traceId?: string): void {
    const skipped = this.sampler.take(`${api}\u0000${code}`);
    if (skipped === undefined) return;
    const line = `${api} refused a request: ${code}: ${message}${traceId ? ` (trace ${traceId})` : ''}${LogSampler.suffix(skipped)}`;
    if (refusals.has(code)) this.logger.warn(line);
    else this.logger.log(line);
  }
}
