export { startEmbeddedBroker, EmbeddedBrokerError } from './embedded-broker';
export type { EmbeddedBroker } from './embedded-broker';
