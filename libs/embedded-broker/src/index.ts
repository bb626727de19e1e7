export { startEmbeddedBroker } from './embedded-broker';
export type { EmbeddedBroker } from './embedded-broker';
export type { BrokerAuthenticator, BrokerPrincipal, BrokerRefusal } from './broker-access';
