export type { ConfigEntry, ConfigStore, ConfigWatch } from './config-store';
export { InProcessConfigStore } from './in-process-config-store';
export { JetStreamConfigStore, ConfigStoreUnavailableError } from './jetstream-config-store';
export type { JetStreamConfigStoreOptions } from './jetstream-config-store';
export { createConfigStore } from './create-config-store';
export type { ConfigStoreSettings } from './create-config-store';
export { ConfigStoreModule, CONFIG_STORE } from './config-store.module';
