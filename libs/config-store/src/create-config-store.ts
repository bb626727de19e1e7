import { natsLogin } from '@sluice/bus';
import type { NatsSettings } from '@sluice/config';
import type { ConfigStore } from './config-store';
import { InProcessConfigStore } from './in-process-config-store';
import { JetStreamConfigStore } from './jetstream-config-store';

export interface ConfigStoreSettings extends NatsSettings {
  SLUICE_BUS: 'in-process' | 'nats';
  SLUICE_BUS_NAMESPACE: string;
  SLUICE_BUS_REPLICAS?: number;
}

/**
 * The config store that goes with the bus: a JetStream KV bucket `<namespace>SLUICE_CONFIG` when
 * SLUICE_BUS=nats, else memory. Call `start()` first.
 *
 * @example const store = createConfigStore(config); await store.start();
 */
export function createConfigStore(settings: ConfigStoreSettings): ConfigStore {
  if (settings.SLUICE_BUS !== 'nats') return new InProcessConfigStore();
  return new JetStreamConfigStore({
    ...natsLogin(settings),
    bucket: `${settings.SLUICE_BUS_NAMESPACE}SLUICE_CONFIG`,
    replicas: settings.SLUICE_BUS_REPLICAS,
  });
}
