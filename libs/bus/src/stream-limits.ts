import type { StreamName } from './bus';
import type { BusConfig } from './bus.config';

export interface StreamLimits {
  /**
   * `workqueue`: a message is removed once its consumer acks it, so the stream holds only the
   * backlog, and a full stream means a slow consumer (backpressure). `limits`: kept until age/size.
   */
  retention: 'workqueue' | 'limits';
  /** `new`: a full stream rejects publishes (BUS_FULL); `old`: it drops its oldest messages. */
  discard: 'new' | 'old';
  maxBytes: number;
  maxMsgs: number;
  maxAgeMs: number;
  duplicateWindowMs: number;
  replicas: number;
}

/**
 * The limits of each stream. INGEST and ACTIONS are work queues with discard-new: nothing is lost
 * silently, a slow stage fills its stream and then its producer gets BUS_FULL and stops
 * acknowledging upstream. The DLQ keeps records for inspection (limits retention), by age.
 */
export function streamLimits(config: BusConfig, name: StreamName): StreamLimits {
  const common = {
    duplicateWindowMs: config.SLUICE_BUS_DUPLICATE_WINDOW_MS,
    replicas: config.SLUICE_BUS_REPLICAS,
  };
  switch (name) {
    case 'INGEST':
      return {
        ...common,
        retention: 'workqueue',
        discard: 'new',
        maxBytes: config.SLUICE_BUS_INGEST_MAX_BYTES,
        maxMsgs: config.SLUICE_BUS_INGEST_MAX_MSGS,
        maxAgeMs: config.SLUICE_BUS_INGEST_MAX_AGE_MS,
      };
    case 'ACTIONS':
      return {
        ...common,
        retention: 'workqueue',
        discard: 'new',
        maxBytes: config.SLUICE_BUS_ACTIONS_MAX_BYTES,
        maxMsgs: config.SLUICE_BUS_ACTIONS_MAX_MSGS,
        maxAgeMs: config.SLUICE_BUS_ACTIONS_MAX_AGE_MS,
      };
    case 'DLQ':
      return {
        ...common,
        retention: 'limits',
        discard: config.SLUICE_BUS_DLQ_DISCARD,
        maxBytes: config.SLUICE_BUS_DLQ_MAX_BYTES,
        maxMsgs: config.SLUICE_BUS_DLQ_MAX_MSGS,
        maxAgeMs: config.SLUICE_BUS_DLQ_MAX_AGE_MS,
      };
  }
}
