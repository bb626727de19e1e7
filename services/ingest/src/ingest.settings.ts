import type { BrokerIntake } from '@sluice/sources';
import type { IngestSettings } from './config';

export const INGEST_SETTINGS = Symbol('INGEST_SETTINGS');

/** What the ingest module needs, after the app decided the broker (external or embedded). */
export interface ResolvedIngestSettings extends IngestSettings {
  mqttUrl: string;
  mqttProtocolVersion: 3 | 4 | 5;
  /** `null` for brokers without shared subscriptions (the embedded one). */
  shareGroup: string | null;
  /**
   * The embedded broker in this process: sources on the operator's broker take its publishes
   * from it directly, acknowledged only once stored (docs/adr/0005-embedded-bus-on-a-local-log.md).
   */
  intake?: BrokerIntake | null;
}
