export { startEmbeddedBroker, EmbeddedBrokerError } from './embedded-broker';
export type { EmbeddedBroker, EmbeddedBrokerOptions } from './embedded-broker';
