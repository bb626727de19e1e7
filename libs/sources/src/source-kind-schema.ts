import { z } from 'zod';
import { kafkaSourceConfigSchema } from './kafka/kafka-source.config';
import { mqttSourceConfigSchema } from './mqtt/mqtt-source.config';
import { natsSourceConfigSchema } from './nats/nats-source.config';

const schemas: Readonly<Record<string, z.ZodType>> = {
  mqtt: mqttSourceConfigSchema,
  kafka: kafkaSourceConfigSchema,
  nats: natsSourceConfigSchema,
};

/**
 * JSON Schema (draft 2020-12) of a source kind's configuration as given, derived from the zod schema
 * the source validates with; secret fields carry `writeOnly`. Undefined for an unknown kind.
 *
 * @example sourceKindSchema('mqtt')?.properties // { url: ..., password: { type: 'string', writeOnly: true }, ... }
 */
export function sourceKindSchema(kind: string): Record<string, unknown> | undefined {
  const schema = schemas[kind];
  // why io 'input' and unrepresentable 'any': as connectorKindSchema (defaults optional, refinements open)
  return schema && z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
}
