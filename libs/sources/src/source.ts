import type { ConnectionMetrics, SourceMetrics, SourceStatus } from './types';

export type SourceKind = 'mqtt' | 'kafka' | 'nats';

/** What every source (MQTT, Kafka, NATS) offers the ingest service. */
export interface Source {
  /** Connects and subscribes; resolves once reading (or after its start timeout, still trying). */
  start(): Promise<void>;
  /** Stops reading, lets in-flight sinks finish and acknowledges/commits them, then disconnects. */
  stop(): Promise<void>;
  status(): SourceStatus;
  metrics(): SourceMetrics;
  /** Each broker connection's counters, for a source with several (MQTT). */
  connectionMetrics?(): ConnectionMetrics[];
}
