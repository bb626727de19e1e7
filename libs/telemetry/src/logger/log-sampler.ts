/**
 * Rate-limits log lines of one kind (one key: a rule and a reason, a connector's dead letters, a
 * client error code): at most `perWindow` lines per key in each window, and the next line that
 * gets through says how many were left out since the last one. For problems that can repeat once
 * per message or per request, where one line per occurrence would flood the log.
 *
 * @example
 * const sampler = new LogSampler({ windowMs: 60_000 });
 * const skipped = sampler.take(`${tenant}/${rule}:exception`);
 * if (skipped !== undefined) log.warn(`rule failed: ${reason}${LogSampler.suffix(skipped)}`);
 */
export class LogSampler {
  private readonly keys = new Map<string, { windowStart: number; lines: number; skipped: number }>();
  private readonly windowMs: number;
  private readonly perWindow: number;
  private readonly now: () => number;

  constructor(options: { windowMs?: number; perWindow?: number; now?: () => number } = {}) {
    this.windowMs = options.windowMs ?? 60_000;
    this.perWindow = options.perWindow ?? 1;
    this.now = options.now ?? Date.now;
  }

  /**
   * `undefined` when this occurrence is left out (counted); otherwise how many occurrences of the
   * key were left out since its last line (0 the first time).
   */
  take(key: string): number | undefined {
    const now = this.now();
    let entry = this.keys.get(key);
    if (!entry) {
      // why bounded: keys come from tenants' ids; a stale key costs a few bytes until the next sweep
      if (this.keys.size >= 10_000) this.sweep(now);
      entry = { windowStart: now, lines: 0, skipped: 0 };
      this.keys.set(key, entry);
    }
    if (now - entry.windowStart >= this.windowMs) {
      entry.windowStart = now;
      entry.lines = 0;
    }
    if (entry.lines >= this.perWindow) {
      entry.skipped++;
      return undefined;
    }
    entry.lines++;
    const skipped = entry.skipped;
    entry.skipped = 0;
    return skipped;
  }

  /** `" (and 41 more like it since the last line)"`, or nothing for 0. */
  static suffix(skipped: number): string {
    return skipped > 0 ? ` (and ${skipped} more like it since the last line)` : '';
  }

  private sweep(now: number): void {
    for (const [key, entry] of this.keys)
      if (now - entry.windowStart >= this.windowMs && entry.skipped === 0) this.keys.delete(key);
  }
}
