export interface BackoffOptions {
  /** The delay before the first retry (attempt 1), doubled for each attempt after it. */
  baseMs: number;
  /** The cap of the doubled delay. */
  maxMs: number;
  /** Draw the delay from [ceiling/2, ceiling] ("equal jitter"); false: the ceiling itself. Default true. */
  jitter?: boolean;
}

/**
 * The delay before retry number `attempt` (1-based): `baseMs` doubled per attempt, capped at `maxMs`,
 * and with jitter a uniform draw from its upper half, so that clients retrying together spread out
 * while each still waits at least half the ceiling. The one backoff formula of Sluice.
 *
 * @example
 * backoffDelayMs(3, { baseMs: 100, maxMs: 5_000, jitter: false }); // 400
 * backoffDelayMs(3, { baseMs: 100, maxMs: 5_000 }); // between 200 and 400
 */
export function backoffDelayMs(
  attempt: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, attempt - 1));
  if (options.jitter === false) return ceiling;
  return ceiling / 2 + (random() * ceiling) / 2;
}
