import { MessageRejectedError } from '../errors';
import type { DropReason, IngestedMessage, MessageSink, SourceEvent, SourceMetrics } from '../types';

/**
 * Hands a connection's messages to the sink and counts what happens: retried with backoff until
 * stored (QoS 1/2), dropped when the sink refuses a QoS 0 message, acknowledged without storing
 * when the sink rejected it for good (`MessageRejectedError`: it dead-lettered it). One for each
 * way messages arrive (an MQTT connection, the embedded broker's intake), so they behave alike.
 */
export class SinkDelivery {
  private aborted = false;
  private readonly abortWaiters = new Set<() => void>();

  constructor(
    private readonly sink: MessageSink,
    private readonly counters: SourceMetrics,
    private readonly clientId: string,
    private readonly emit: (event: SourceEvent) => void,
  ) {}

  /**
   * Resolves `true` after calling `onStored` once the message may be acknowledged (stored, or
   * rejected for good), `false` when it was dropped (QoS 0) or abandoned by {@link abort}.
   */
  async deliver(message: IngestedMessage, onStored: () => void): Promise<boolean> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.sink(message);
        this.counters.stored += 1;
        this.counters.byQos[message.qos].stored += 1;
        onStored();
        return true;
      } catch (error) {
        if (error instanceof MessageRejectedError) {
          // why ack it: the sink recorded it and will never store it; retrying would hold an
          // in-flight slot for good (and the broker would redeliver it on every reconnect)
          this.drop('rejected', message.topic);
          onStored();
          return true;
        }
        this.counters.sinkFailures += 1;
        this.emit({
          type: 'sink-failed',
          clientId: this.clientId,
          messageId: message.id,
          qos: message.qos,
          error,
          attempt,
        });
        if (message.qos === 0) {
          this.drop('sink-failed', message.topic);
          return false;
        }
        if (this.aborted) return false;
        await this.sleep(Math.min(100 * 2 ** (attempt - 1), 5_000) * (0.5 + Math.random() / 2));
        if (this.aborted) return false;
      }
    }
  }

  drop(reason: DropReason, topic: string): void {
    this.counters.dropped += 1;
    this.counters.droppedByReason[reason] += 1;
    this.emit({ type: 'dropped', clientId: this.clientId, reason, topic });
  }

  /** Ends every retry wait and stops retrying: the messages stay unacknowledged. */
  abort(): void {
    this.aborted = true;
    for (const wake of [...this.abortWaiters]) wake();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.abortWaiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.abortWaiters.add(done);
    });
  }
}
