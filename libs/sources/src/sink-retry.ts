import { backoffDelayMs } from '@sluice/backoff';
import { MessageRejectedError } from './errors';
import type { IngestedMessage, MessageSink } from './types';

export interface SinkRetryOptions {
  /** Called after each rejection, before the wait. */
  onFailure: (error: unknown, attempt: number) => void;
  /** Stop retrying (resolves `false`) once this returns true, e.g. the source is stopping for good. */
  abandoned: () => boolean;
  initialDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * Calls `sink` until it resolves (`true`) or the caller abandons the message (`false`). Waits
 * 100 ms doubling to 5 s with jitter between attempts: an at-least-once message is never skipped,
 * because skipping it would let a later offset/ack pass it.
 */
export async function sinkWithRetry(
  sink: MessageSink,
  message: IngestedMessage,
  options: SinkRetryOptions,
): Promise<boolean> {
  const backoff = { baseMs: options.initialDelayMs ?? 100, maxMs: options.maxDelayMs ?? 5_000 };
  for (let attempt = 1; ; attempt += 1) {
    if (options.abandoned()) return false;
    try {
      await sink(message);
      return true;
    } catch (error) {
      options.onFailure(error, attempt);
      // why done: the sink recorded it and will never store it, so the offset may pass it
      if (error instanceof MessageRejectedError) return true;
    }
    if (options.abandoned()) return false;
    await new Promise((resolve) => setTimeout(resolve, backoffDelayMs(attempt, backoff)));
  }
}
