export type { ConfigStore, ConfigWatch } from './config-store';
export { InProcessConfigStore } from './in-process-config-store';
export { createConfigStore } from './create-config-store';
export { ConfigStoreModule, CONFIG_STORE } from './config-store.module';
