import type { SourceMetrics } from './types';

export function emptyMetrics(): SourceMetrics {
  return {
    received: 0,
    bytes: 0,
    stored: 0,
    acked: 0,
    dropped: 0,
    droppedByReason: { 'sink-failed': 0, overload: 0, stopping: 0, rejected: 0 },
    sinkFailures: 0,
    inFlight: 0,
    reconnects: 0,
    byQos: { 0: { received: 0, stored: 0 }, 1: { received: 0, stored: 0 }, 2: { received: 0, stored: 0 } },
  };
}

/** Adds up the metrics of several connections into one fresh object. */
export function sumMetrics(parts: readonly SourceMetrics[]): SourceMetrics {
  const total = emptyMetrics();
  for (const part of parts) {
    total.received += part.received;
    total.bytes += part.bytes;
    total.stored += part.stored;
    total.acked += part.acked;
    total.dropped += part.dropped;
    total.sinkFailures += part.sinkFailures;
    total.inFlight += part.inFlight;
    total.reconnects += part.reconnects;
    for (const reason of Object.keys(total.droppedByReason) as (keyof typeof total.droppedByReason)[]) {
      total.droppedByReason[reason] += part.droppedByReason[reason];
    }
    for (const qos of [0, 1, 2] as const) {
      total.byQos[qos].received += part.byQos[qos].received;
      total.byQos[qos].stored += part.byQos[qos].stored;
    }
  }
  return total;
}
