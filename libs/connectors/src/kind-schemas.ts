import { z } from 'zod';
import { httpActionSchema, httpConnectorSchema } from './http/http.config';
import { kafkaActionSchema, kafkaConnectorSchema } from './kafka/kafka.config';
import { mqttActionSchema, mqttConnectorSchema } from './mqtt/mqtt.config';
import { mysqlConnectorSchema } from './mysql/mysql.config';
import { natsActionSchema, natsConnectorSchema } from './nats/nats.config';
import { postgresConnectorSchema } from './postgres/postgres.config';
import { rabbitmqActionSchema, rabbitmqConnectorSchema } from './rabbitmq/rabbitmq.config';
import { redisActionSchema, redisConnectorSchema } from './redis/redis.config';
import { sqlActionSchema } from './sql/sql-action';

/** The zod schemas a kind validates with: its connector configuration and an action's. */
const schemas: Readonly<Record<string, { config: z.ZodType; action: z.ZodType }>> = {
  http: { config: httpConnectorSchema, action: httpActionSchema },
  postgres: { config: postgresConnectorSchema, action: sqlActionSchema },
  mysql: { config: mysqlConnectorSchema, action: sqlActionSchema },
  redis: { config: redisConnectorSchema, action: redisActionSchema },
  rabbitmq: { config: rabbitmqConnectorSchema, action: rabbitmqActionSchema },
  mqtt: { config: mqttConnectorSchema, action: mqttActionSchema },
  nats: { config: natsConnectorSchema, action: natsActionSchema },
  kafka: { config: kafkaConnectorSchema, action: kafkaActionSchema },
};

export interface ConnectorKindSchema {
  kind: string;
  /** JSON Schema (draft 2020-12) of the connector configuration as given (defaults are optional). */
  config: Record<string, unknown>;
  /** JSON Schema of an action's configuration (its templates and options). */
  action: Record<string, unknown>;
}

/**
 * The JSON Schemas of a built-in kind, derived from the zod schemas the connector validates with,
 * so a form built from them asks exactly what the connector accepts. Undefined for an unknown kind
 * (or one registered from elsewhere without schemas).
 *
 * @example connectorKindSchema('http')?.config.required // ['url']
 */
export function connectorKindSchema(kind: string): ConnectorKindSchema | undefined {
  const entry = schemas[kind];
  if (!entry) return undefined;
  return { kind, config: toJsonSchema(entry.config), action: toJsonSchema(entry.action) };
}

function toJsonSchema(schema: z.ZodType): Record<string, unknown> {
  // why io 'input': a field with a default is optional to whoever fills the form;
  // unrepresentable 'any': a refinement or transform becomes an unconstrained field, not a throw
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
}
