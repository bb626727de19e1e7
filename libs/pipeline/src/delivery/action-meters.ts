import type { SluiceMetrics } from '@sluice/telemetry';

type Labels = { tenant: string; connector: string; action: string };

/**
 * One action's metric children, bound once when the action loads, so a request no longer builds
 * label objects (three to five per request before). prom-client's children are bound functions
 * that still hash and validate the labels on every call: the delivery profile still shows ~2% in
 * prom-client (docs/benchmarks.md). Failure codes are few per action, so their children are bound
 * on first use.
 */
export class ActionMeters {
  readonly matched;
  readonly success;
  readonly retried;
  readonly queuing;
  readonly inflight;
  readonly lateReply;
  readonly latency;
  private readonly failedByCode = new Map<string, { inc(): void }>();

  constructor(
    private readonly metrics: SluiceMetrics | undefined,
    readonly labels: Labels,
  ) {
    this.matched = metrics?.actionMatched.labels(labels);
    this.success = metrics?.actionSuccess.labels(labels);
    this.retried = metrics?.actionRetried.labels(labels);
    this.queuing = metrics?.actionQueuing.labels(labels);
    this.inflight = metrics?.actionInflight.labels(labels);
    this.lateReply = metrics?.actionLateReply.labels(labels);
    this.latency = metrics?.actionLatency.labels({ tenant: labels.tenant, connector: labels.connector });
  }

  failed(code: string): void {
    if (!this.metrics) return;
    let child = this.failedByCode.get(code);
    if (!child) {
      child = this.metrics.actionFailed.labels({ ...this.labels, code });
      this.failedByCode.set(code, child);
    }
    child.inc();
  }
}
