import type { Connector, ConnectorOptions } from './connector';
import { ConnectorKindUnknownError } from './errors';
import { HttpConnector } from './http/http.connector';
import { KafkaConnector } from './kafka/kafka.connector';
import { MqttConnector } from './mqtt/mqtt.connector';
import { MysqlConnector } from './mysql/mysql.connector';
import { NatsConnector } from './nats/nats.connector';
import { PostgresConnector } from './postgres/postgres.connector';
import { RabbitmqConnector } from './rabbitmq/rabbitmq.connector';
import { RedisConnector } from './redis/redis.connector';

export type ConnectorFactory = (config: unknown, options?: ConnectorOptions) => Connector;

const factories = new Map<string, ConnectorFactory>([
  ['http', (c, o) => new HttpConnector(c, o)],
  ['postgres', (c, o) => new PostgresConnector(c, o)],
  ['mysql', (c, o) => new MysqlConnector(c, o)],
  ['redis', (c, o) => new RedisConnector(c, o)],
  ['rabbitmq', (c, o) => new RabbitmqConnector(c, o)],
  ['mqtt', (c, o) => new MqttConnector(c, o)],
  ['nats', (c, o) => new NatsConnector(c, o)],
  ['kafka', (c, o) => new KafkaConnector(c, o)],
]);

/**
 * Builds a connector of a registered kind; the config is validated here (CONNECTOR_CONFIG_INVALID
 * names the bad field). Call `start()` to connect.
 *
 * @example
 * const http = createConnector('http', { url: 'http://127.0.0.1:8080/hooks' });
 * await http.start();
 * const action = http.createAction({ path: '/${clientid}' });
 * // a tenant's: its targets checked against the operator's policy
 * createConnector('http', { url }, { targets: TargetPolicy.parse({ allow: ['private'] }) });
 */
export function createConnector(kind: string, config: unknown, options: ConnectorOptions = {}): Connector {
  const factory = factories.get(kind);
  if (!factory) throw new ConnectorKindUnknownError(kind, connectorKinds());
  return factory(config, options);
}

/** The kinds `createConnector` knows, sorted. */
export function connectorKinds(): string[] {
  return [...factories.keys()].sort();
}

/**
 * Adds (or replaces) a kind, e.g. a test double or a driver that lives elsewhere.
 *
 * @example registerConnectorKind('null', () => new NullConnector());
 */
export function registerConnectorKind(kind: string, factory: ConnectorFactory): void {
  factories.set(kind, factory);
}
