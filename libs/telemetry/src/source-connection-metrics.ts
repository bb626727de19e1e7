import { Counter, Gauge, type Registry } from 'prom-client';

/** What one broker connection of a source reports (read at scrape time). */
export interface SourceConnectionSample {
  /** The connection's client id (MQTT), or the source's kind for a source with one connection. */
  client: string;
  connected: boolean;
  received: number;
  stored: number;
  /** Acknowledgements sent to the broker (PUBACK/PUBREC, commits, JetStream acks). */
  acked: number;
  /** Bytes received (MQTT: the PUBLISH packets). */
  bytes: number;
  droppedByReason: Record<string, number>;
  inFlight: number;
  reconnects: number;
}

type Labels = 'tenant' | 'source' | 'client';
type Probe = { tenant: string; source: string; read: () => SourceConnectionSample[] };

/**
 * Per-connection metrics of the sources (issue 5: received, stored, acknowledged, dropped by
 * reason, bytes, in flight, reconnects), read from each source's own counters at every scrape:
 * the hot path counts in plain fields, and a stopped source's series go away with it.
 */
export class SourceConnectionMetrics {
  private readonly probes = new Map<string, Probe>();

  constructor(registry: Registry) {
    const labelNames: Labels[] = ['tenant', 'source', 'client'];
    const each = (visit: (labels: Record<Labels, string>, sample: SourceConnectionSample) => void) => {
      for (const { tenant, source, read } of this.probes.values()) {
        for (const sample of read()) visit({ tenant, source, client: sample.client }, sample);
      }
    };
    const counter = (name: string, help: string, pick: (s: SourceConnectionSample) => number) => {
      const metric: Counter<Labels> = new Counter<Labels>({
        name,
        help,
        labelNames,
        registers: [registry],
        collect: () => {
          metric.reset();
          each((labels, sample) => metric.inc(labels, pick(sample)));
        },
      });
    };
    const gauge = (name: string, help: string, pick: (s: SourceConnectionSample) => number) => {
      const metric: Gauge<Labels> = new Gauge<Labels>({
        name,
        help,
        labelNames,
        registers: [registry],
        collect: () => {
          metric.reset();
          each((labels, sample) => metric.set(labels, pick(sample)));
        },
      });
    };
    gauge('sluice_source_connection_up', '1 while the connection is connected', (s) => (s.connected ? 1 : 0));
    counter(
      'sluice_source_connection_messages_received_total',
      'Messages received on the connection',
      (s) => s.received,
    );
    counter(
      'sluice_source_connection_messages_stored_total',
      'Messages of the connection stored in INGEST',
      (s) => s.stored,
    );
    counter(
      'sluice_source_connection_messages_acked_total',
      'Acknowledgements sent on the connection (after storing)',
      (s) => s.acked,
    );
    counter(
      'sluice_source_connection_received_bytes_total',
      'Bytes of the messages received on the connection',
      (s) => s.bytes,
    );
    gauge(
      'sluice_source_connection_in_flight_messages',
      'Messages handed to INGEST and not yet stored (or acknowledged)',
      (s) => s.inFlight,
    );
    counter(
      'sluice_source_connection_reconnects_total',
      'Reconnection attempts of the connection',
      (s) => s.reconnects,
    );
    const dropped: Counter<Labels | 'reason'> = new Counter<Labels | 'reason'>({
      name: 'sluice_source_connection_messages_dropped_total',
      help: 'Messages of the connection that were not stored, by reason (QoS 0 only)',
      labelNames: [...labelNames, 'reason'],
      registers: [registry],
      collect: () => {
        dropped.reset();
        each((labels, sample) => {
          for (const [reason, count] of Object.entries(sample.droppedByReason)) {
            dropped.inc({ ...labels, reason }, count);
          }
        });
      },
    });
  }

  /**
   * Reports the connections of a source from `read` at every scrape, until the returned function
   * is called (when the source stops).
   *
   * @example const untrack = metrics.sourceConnections.track('acme', 'devices', () => samples(source));
   */
  track(tenant: string, source: string, read: () => SourceConnectionSample[]): () => void {
    const key = `${tenant}\u0000${source}`;
    const probe = { tenant, source, read };
    this.probes.set(key, probe);
    return () => {
      if (this.probes.get(key) === probe) this.probes.delete(key);
    };
  }
}
