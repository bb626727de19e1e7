export interface EventuallyOptions {
  timeoutMs?: number;
  intervalMs?: number;
}

/**
 * Retries `check` until it stops throwing (or returns a truthy value when it returns a boolean),
 * then returns its result; on timeout, rethrows the last failure so the test shows what was wrong.
 *
 * @example await eventually(() => expect(rows).toHaveLength(3), { timeoutMs: 5_000 });
 */
export async function eventually<T>(
  check: () => T | Promise<T>,
  { timeoutMs = 5_000, intervalMs = 25 }: EventuallyOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const result = await check();
      if (result !== false) return result;
      lastError = new Error('check returned false');
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) throw lastError;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * The opposite of {@link eventually}: polls `check` for `durationMs` and fails at its first
 * failure. For a fault that lasts a set time (a server down for 30 s): the test watches what must
 * stay true during the outage instead of sleeping through it.
 *
 * @example await throughout(async () => expect(await deadLetters()).toBe(0), { durationMs: 30_000 });
 */
export async function throughout(
  check: () => unknown,
  { durationMs, intervalMs = 500 }: { durationMs: number; intervalMs?: number },
): Promise<void> {
  const until = Date.now() + durationMs;
  for (;;) {
    const result = await check();
    if (result === false) throw new Error('check returned false');
    const left = until - Date.now();
    if (left <= 0) return;
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, left)));
  }
}
