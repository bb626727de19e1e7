import { backoffDelayMs } from '@sluice/backoff';
export interface DeliveryPolicy {
  /** Attempts before a request goes to the dead-letter stream (paused redeliveries do not count). */
  maxAttempts: number;
  /** First retry delay; doubles per attempt, with jitter, up to `maxBackoffMs`. */
  baseBackoffMs: number;
  maxBackoffMs: number;
  /** A send with no answer after this long fails with the retryable DELIVERY_TIMEOUT. */
  sendTimeoutMs?: number;
  /** Where an action takes batches: how long the first request of a batch waits for others; 0: to the end of the event-loop turn. */
  batchWindowMs?: number;
  /** Consecutive retryable failures that open a connector's circuit. */
  breakerThreshold?: number;
  /** How long an open circuit pauses deliveries before a probe delivery tries the target. */
  breakerOpenMs?: number;
  /** Requests older than this (since the rule produced them) are dropped as `expired`; 0: never. */
  requestTtlMs?: number;
}

export const defaultDeliveryPolicy: Required<DeliveryPolicy> = {
  maxAttempts: 5,
  baseBackoffMs: 200,
  maxBackoffMs: 30_000,
  sendTimeoutMs: 15_000,
  batchWindowMs: 0,
  breakerThreshold: 5,
  breakerOpenMs: 5_000,
  requestTtlMs: 0,
};

/** The delay before retry number `attempt` (1-based): exponential, capped, jittered in [ceiling/2, ceiling]. */
export function backoffMs(policy: Required<DeliveryPolicy>, attempt: number): number {
  return Math.round(backoffDelayMs(attempt, { baseMs: policy.baseBackoffMs, maxMs: policy.maxBackoffMs }));
}
