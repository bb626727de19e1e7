/** A counter or gauge child bound to its labels (prom-client's `metric.labels(...)`); a gauge takes negative values. */
export interface BoundCounter {
  inc(value?: number): void;
}

/**
 * Adds up counter increments and gauge deltas (a negative value for a gauge's `dec`) and hands
 * them to Prometheus once per event-loop turn, skipping a gauge whose ups and downs cancel: prom-client
 * hashes and validates the label set on every `inc`, even through a bound child, which showed in
 * the rules and delivery profiles (bench:flow) when paid per message. The counters lag by at most
 * that turn, and not at all for a reader that goes through `SluiceMetrics.render()` or `flush()`.
 *
 * @example
 * const counts = new TurnCounts(metrics);
 * const matched = metrics.ruleMatched.labels({ tenant, rule });
 * counts.add(matched); // per message; matched.inc(n) happens once at the end of the turn
 */
export class TurnCounts {
  private readonly pending = new Map<BoundCounter, number>();
  private scheduled = false;

  /** With `metrics`, a read of the metrics (a scrape, a metrics report) counts what is pending first. */
  constructor(metrics?: { beforeRead(flush: () => void): void }) {
    metrics?.beforeRead(() => this.flush());
  }

  add(counter: BoundCounter | undefined, value = 1): void {
    if (!counter || value === 0) return;
    this.pending.set(counter, (this.pending.get(counter) ?? 0) + value);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  /** Hands what was added so far to the counters now. */
  flush(): void {
    this.scheduled = false;
    for (const [counter, value] of this.pending) if (value !== 0) counter.inc(value);
    this.pending.clear();
  }
}
