import type { DeliveryOutcome } from '../connector';

export interface BatchLimits {
  maxBatchSize: number;
  maxBatchBytes: number;
  lingerMs: number;
}

export interface Sized {
  size: number;
}

/**
 * Gathers entries from concurrent `add()` calls into produce requests of at most `maxBatchSize`
 * entries and `maxBatchBytes` bytes, waiting at most `lingerMs` for a request to fill. Each
 * caller gets the outcomes of its own entries, in order.
 */
export class KafkaBatcher<E extends Sized> {
  private queue: { entry: E; resolve: (o: DeliveryOutcome) => void }[] = [];
  private bytes = 0;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly produce: (entries: E[]) => Promise<DeliveryOutcome[]>,
    private readonly limits: BatchLimits,
  ) {}

  add(entries: readonly E[]): Promise<DeliveryOutcome[]> {
    const outcomes = entries.map(
      (entry) =>
        new Promise<DeliveryOutcome>((resolve) => {
          // flush first when this entry would take the request over the byte limit
          if (this.queue.length > 0 && this.bytes + entry.size > this.limits.maxBatchBytes) this.flush();
          this.queue.push({ entry, resolve });
          this.bytes += entry.size;
          if (this.queue.length >= this.limits.maxBatchSize || this.bytes >= this.limits.maxBatchBytes)
            this.flush();
        }),
    );
    if (this.queue.length > 0) {
      if (this.limits.lingerMs === 0) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.limits.lingerMs);
    }
    return Promise.all(outcomes);
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.queue;
    this.queue = [];
    this.bytes = 0;
    if (batch.length === 0) return;
    void this.produce(batch.map((b) => b.entry)).then((outcomes) =>
      batch.forEach((b, i) =>
        b.resolve(
          outcomes[i] ?? { ok: false, retryable: true, code: 'DELIVERY_FAILED', message: 'no outcome' },
        ),
      ),
    );
  }
}
