export { fallBackToMqtt311, refusesProtocolVersion } from './protocol-fallback';
