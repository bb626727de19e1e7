export type {
  Action,
  Connector,
  ConnectorOptions,
  ConnectorStatus,
  DeliveryOutcome,
  DeliveryRecord,
} from './connector';
export { ConnectorConfigInvalidError, ConnectorKindUnknownError, ConnectorTargetDeniedError } from './errors';
export { createConnector, connectorKinds } from './registry';
export { connectorKindSchema } from './kind-schemas';
export { registerKafkaCodecs } from './kafka/compression-codecs';
export { TargetPolicy, mqttEndpoints } from './targets/target-policy';
export type { Endpoint, TargetResolver } from './targets/target-policy';
export { connectorTargetsConfigShape, tenantTargetPolicy } from './targets/targets.config';
