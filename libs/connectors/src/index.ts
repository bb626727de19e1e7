export type {
  Action,
  Connector,
  ConnectorOptions,
  ConnectorState,
  ConnectorStatus,
  DeliveryOutcome,
  DeliveryRecord,
} from './connector';
export {
  ConnectorConfigInvalidError,
  ConnectorKindUnknownError,
  ConnectorTargetDeniedError,
  ConnectorUnavailableError,
  TemplateSyntaxError,
  deliveryCodes,
} from './errors';
export { compileTemplate, stringify } from './template/template';
export type { MissingPolicy, Template, TemplateInput, TemplateOptions } from './template/template';
export { compileSqlTemplate } from './template/sql-template';
export type { SqlDialect, SqlStatement, SqlTemplate } from './template/sql-template';
export { compileCommandTemplate } from './template/command-template';
export type { CommandTemplate } from './template/command-template';
export { createConnector, connectorKinds, registerConnectorKind } from './registry';
export type { ConnectorFactory } from './registry';
export { connectorKindSchema } from './kind-schemas';
export type { ConnectorKindSchema } from './kind-schemas';
export { HttpConnector } from './http/http.connector';
export type { HttpActionConfig, HttpConnectorConfig } from './http/http.config';
export { PostgresConnector } from './postgres/postgres.connector';
export type { PostgresConnectorConfig } from './postgres/postgres.config';
export type { SqlActionConfig } from './sql/sql-action';
export { MysqlConnector } from './mysql/mysql.connector';
export type { MysqlConnectorConfig } from './mysql/mysql.config';
export { RedisConnector } from './redis/redis.connector';
export type { RedisActionConfig, RedisConnectorConfig } from './redis/redis.config';
export { RabbitmqConnector } from './rabbitmq/rabbitmq.connector';
export type { RabbitmqActionConfig, RabbitmqConnectorConfig } from './rabbitmq/rabbitmq.config';
export { MqttConnector } from './mqtt/mqtt.connector';
export type { MqttActionConfig, MqttConnectorConfig } from './mqtt/mqtt.config';
export { NatsConnector } from './nats/nats.connector';
export type { NatsActionConfig, NatsConnectorConfig } from './nats/nats.config';
export { KafkaConnector } from './kafka/kafka.connector';
export type { KafkaActionConfig, KafkaConnectorConfig } from './kafka/kafka.config';
export { TargetPolicy } from './targets/target-policy';
export type { Endpoint, TargetPolicyOptions } from './targets/target-policy';
export { connectorTargetsConfigShape, tenantTargetPolicy } from './targets/targets.config';
export type { ConnectorTargetsSettings } from './targets/targets.config';
