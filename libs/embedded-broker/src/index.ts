export { startEmbeddedBroker } from './embedded-broker';
export type { EmbeddedBroker } from './embedded-broker';
