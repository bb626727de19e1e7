import type { ConnectionMetrics, SourceMetrics, SourceStatus } from './types';

export type SourceKind = 'mqtt' | 'kafka' | 'nats';

/** What every source (MQTT, Kafka, NATS) offers the ingest service. */
export interface Source {
  /** Connects and subscribes; resolves once reading (or after its start timeout, still trying). */
  start(): Promise<void>;
  /** Stops reading, lets in-flight sinks finish and acknowledges/commits them, then disconnects. */
  stop(): Promise<void>;
  /**
   * Leaves for good (a replica scaled down) so the others take over its share: MQTT unsubscribes,
   * drains and ends its session; without it, `stop` (Kafka and NATS consumers leave their group).
   */
  retire?(): Promise<void>;
  status(): SourceStatus;
  metrics(): SourceMetrics;
  /** Each broker connection's counters, for a source with several (MQTT). */
  connectionMetrics?(): ConnectionMetrics[];
}
