/** Per-rule counters under EMQX's names (emqx_rule_engine metrics), plus the matched rate. */
export interface RuleMetricsSnapshot {
  readonly matched: number;
  readonly passed: number;
  readonly failed: number;
  readonly 'failed.exception': number;
  readonly 'failed.no_result': number;
  readonly 'actions.total': number;
  readonly 'actions.success': number;
  readonly 'actions.failed': number;
  readonly 'actions.failed.out_of_service': number;
  readonly 'actions.failed.unknown': number;
  /** Matches per second over the last 5 seconds. */
  readonly 'matched.rate': number;
  /** The highest `matched.rate` seen. */
  readonly 'matched.rate.max': number;
  /** Matches per second over the last 5 minutes. */
  readonly 'matched.rate.last5m': number;
}

const WINDOW_SECONDS = 300;
const CURRENT_SECONDS = 5;

/**
 * Counters for one rule. The rate is a ring of one-second buckets (5 minutes), enough for the admin
 * API; Prometheus computes its own rates from the counters.
 *
 * @example
 * const metrics = new RuleMetrics();
 * metrics.recordResult({ matched: true, outputs: [{}] });
 * metrics.snapshot().passed; // 1
 */
export class RuleMetrics {
  private matched = 0;
  private passed = 0;
  private exception = 0;
  private noResult = 0;
  private actionsTotal = 0;
  private actionsSuccess = 0;
  private actionsOutOfService = 0;
  private actionsUnknown = 0;
  private readonly buckets = new Float64Array(WINDOW_SECONDS);
  private bucketSecond = 0;
  private maxRate = 0;

  constructor(private readonly now: () => number = Date.now) {
    this.bucketSecond = Math.floor(now() / 1000);
  }

  /**
   * Counts one evaluation like EMQX: every evaluation is "matched" (the topic matched), then either
   * passed, failed.exception or failed.no_result (WHERE false, or a FOREACH with no items).
   */
  recordResult(result: { matched: boolean; outputs?: readonly unknown[] } | { error: unknown }): void {
    this.matched++;
    this.tick(1);
    if ('error' in result) this.exception++;
    else if (result.matched && (result.outputs?.length ?? 0) > 0) this.passed++;
    else this.noResult++;
  }

  /**
   * Counts one action outcome reported back by delivery. A failure is `out_of_service` when the
   * target was unreachable or stopped, `unknown` otherwise (EMQX's two failure counters).
   */
  recordAction(outcome: 'success' | 'out_of_service' | 'unknown'): void {
    this.actionsTotal++;
    if (outcome === 'success') this.actionsSuccess++;
    else if (outcome === 'out_of_service') this.actionsOutOfService++;
    else this.actionsUnknown++;
  }

  snapshot(): RuleMetricsSnapshot {
    this.tick(0);
    const current = this.sumLast(CURRENT_SECONDS) / CURRENT_SECONDS;
    this.maxRate = Math.max(this.maxRate, current);
    return {
      matched: this.matched,
      passed: this.passed,
      failed: this.exception + this.noResult,
      'failed.exception': this.exception,
      'failed.no_result': this.noResult,
      'actions.total': this.actionsTotal,
      'actions.success': this.actionsSuccess,
      'actions.failed': this.actionsOutOfService + this.actionsUnknown,
      'actions.failed.out_of_service': this.actionsOutOfService,
      'actions.failed.unknown': this.actionsUnknown,
      'matched.rate': current,
      'matched.rate.max': this.maxRate,
      'matched.rate.last5m': this.sumLast(WINDOW_SECONDS) / WINDOW_SECONDS,
    };
  }

  private tick(count: number): void {
    const second = Math.floor(this.now() / 1000);
    const elapsed = second - this.bucketSecond;
    if (elapsed > 0) {
      const clear = Math.min(elapsed, WINDOW_SECONDS);
      for (let i = 1; i <= clear; i++) this.buckets[(this.bucketSecond + i) % WINDOW_SECONDS] = 0;
      this.bucketSecond = second;
      // the rate of the window that just closed may be the highest so far
      this.maxRate = Math.max(this.maxRate, this.sumLast(CURRENT_SECONDS) / CURRENT_SECONDS);
    }
    const slot = this.bucketSecond % WINDOW_SECONDS;
    this.buckets[slot] = (this.buckets[slot] ?? 0) + count;
  }

  private sumLast(seconds: number): number {
    let sum = 0;
    for (let i = 0; i < seconds; i++)
      sum += this.buckets[(this.bucketSecond - i + WINDOW_SECONDS * 2) % WINDOW_SECONDS] ?? 0;
    return sum;
  }
}
