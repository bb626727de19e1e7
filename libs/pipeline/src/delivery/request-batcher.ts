import type { DeliveryOutcome, DeliveryRecord } from '@sluice/connectors';

interface Pending {
  record: DeliveryRecord;
  resolve: (outcome: DeliveryOutcome) => void;
}

/**
 * Collects the records the consumer hands out concurrently into batches: a batch goes out when it
 * holds `maxBatchSize` records or `windowMs` after its first record, whichever comes first; with
 * `windowMs` 0 (the default), at the end of the event-loop turn its first record arrived in, so it
 * holds what arrived together (a batch envelope's requests) and waits for nothing more. Each caller
 * gets its own record's outcome back.
 */
export class RequestBatcher {
  private pending: Pending[] = [];
  private timer?: NodeJS.Timeout;
  private immediate?: NodeJS.Immediate;

  constructor(
    private readonly maxBatchSize: number,
    private readonly windowMs: number,
    private readonly sendBatch: (records: DeliveryRecord[]) => Promise<DeliveryOutcome[]>,
  ) {}

  /** Resolves with the outcome of `record` once its batch was sent. */
  add(record: DeliveryRecord): Promise<DeliveryOutcome> {
    return new Promise((resolve) => {
      this.pending.push({ record, resolve });
      if (this.pending.length >= this.maxBatchSize) this.flush();
      else if (this.windowMs > 0) this.timer ??= setTimeout(() => this.flush(), this.windowMs);
      // why not a timer of 0: that waits at least 1 ms; the end of the turn is what "together" means
      else this.immediate ??= setImmediate(() => this.flush());
    });
  }

  /** Records waiting for their batch (the `queuing` metric). */
  get size(): number {
    return this.pending.length;
  }

  private flush(): void {
    clearTimeout(this.timer);
    clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    // why no await: the callers wait on their own promises; sendBatch never rejects
    void this.sendBatch(batch.map((p) => p.record)).then((outcomes) =>
      batch.forEach((p, i) =>
        p.resolve(
          outcomes[i] ?? { ok: false, retryable: true, code: 'DELIVERY_NO_OUTCOME', message: 'no outcome' },
        ),
      ),
    );
  }
}
