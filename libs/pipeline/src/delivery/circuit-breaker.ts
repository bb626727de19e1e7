export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  /** Consecutive retryable failures that open the circuit. */
  threshold: number;
  /** How long the circuit first stays open before one probe delivery may try the target. */
  openMs: number;
  /**
   * Called when the circuit would probe but the connector reports itself disconnected: the health
   * check (`connector.testConnection()`) that may mark it connected again. Without it, a connector
   * that only deliveries can mark connected (a refused connection) would keep the circuit open for
   * good, since it never gets a probe delivery.
   */
  onProbeRefused?: () => void;
}

/** Each failed probe doubles the open time, up to this many times `openMs`. */
const MAX_OPEN_FACTOR = 6;

/**
 * A circuit breaker for one connector. While its target is down, deliveries pause instead of burning
 * attempts: after `threshold` consecutive retryable failures (or one while the connector reports
 * itself disconnected) it opens; after `openMs` it lets one real delivery through as a probe
 * (half-open); the probe's success closes it, its failure opens it again.
 */
export class CircuitBreaker {
  private failures = 0;
  private openedAt = 0;
  private probing = false;
  private current: BreakerState = 'closed';
  /** The open time now: doubles per failed probe, so a long outage costs few attempts. */
  private openFor: number;
  /** The last failure that counted, for the connector's status. */
  lastFailure?: string;

  constructor(
    private readonly options: BreakerOptions,
    private readonly now: () => number = Date.now,
  ) {
    this.openFor = options.openMs;
  }

  get state(): BreakerState {
    if (this.current === 'open' && this.now() - this.openedAt >= this.openFor) {
      this.current = 'half-open';
      this.probing = false;
    }
    return this.current;
  }

  /**
   * True when a delivery may go to the target now (in half-open: only the one probe). A connector
   * that reports itself disconnected gets no probe: the health check keeps the circuit open.
   */
  admit(disconnected = false): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'half-open' && disconnected) {
      this.open();
      this.options.onProbeRefused?.();
      return false;
    }
    if (state === 'half-open' && !this.probing) {
      this.probing = true;
      return true;
    }
    return false;
  }

  /** How long a paused delivery should wait before it comes back. */
  pauseMs(): number {
    const left = this.current === 'open' ? this.openFor - (this.now() - this.openedAt) : 0;
    // why the jitter: the paused messages must not all come back in the same millisecond
    return Math.max(20, Math.round(left + (Math.random() * this.options.openMs) / 2));
  }

  /** Records the outcome of an admitted delivery. `disconnected`: the connector says it is down. */
  record(outcome: { ok: true } | { ok: false; retryable: boolean; message: string }, disconnected = false) {
    if (outcome.ok) {
      this.failures = 0;
      this.openFor = this.options.openMs;
      this.current = 'closed';
      this.probing = false;
      this.lastFailure = undefined;
      return;
    }
    // why: a permanent failure (a 400, a bad template) says the target is up and answering
    if (!outcome.retryable) {
      if (this.current === 'half-open') this.probing = false;
      return;
    }
    this.failures++;
    this.lastFailure = outcome.message;
    if (this.current === 'half-open') {
      this.openFor = Math.min(this.openFor * 2, this.options.openMs * MAX_OPEN_FACTOR);
      this.open();
    } else if (disconnected || this.failures >= this.options.threshold) this.open();
  }

  private open(): void {
    this.current = 'open';
    this.openedAt = this.now();
    this.probing = false;
  }
}
