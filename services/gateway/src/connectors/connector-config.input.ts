import { Field, Float, InputType, Int } from '@nestjs/graphql';
import { connectorKindSchema } from '@sluice/connectors';
import { IsObject, IsOptional } from 'class-validator';
import { inputTypeFromJsonSchema } from '../graphql/json-schema-input';

@InputType({
  description:
    "The bound of the connector's action queue (its backlog in ACTIONS) and what happens when it is full.",
})
export class ActionQueueInput {
  @Field(() => Int, { nullable: true }) maxMessages?: number;
  @Field(() => Float, { nullable: true, description: 'Estimated from the average request size.' })
  maxBytes?: number;
  @Field({
    nullable: true,
    description:
      'backpressure (default): hold the ingested message and retry later; drop_new: dead-letter the ' +
      'request (ACTION_QUEUE_FULL, re-drivable) and count it as dropped (queue_full).',
  })
  overflow?: string;
}

/** The kinds with a typed configuration field (GraphQL name = kind). */
export const TYPED_KINDS = [
  'http',
  'kafka',
  'postgres',
  'mysql',
  'redis',
  'rabbitmq',
  'mqtt',
  'nats',
] as const;
export type TypedKind = (typeof TYPED_KINDS)[number];

/**
 * Fields the driver needs that a tenant may leave out, because Sluice fills them in
 * (`connectorRunConfig`): an MQTT connector without url republishes on the operator's broker.
 */
const FILLED_IN: Partial<Record<TypedKind, readonly string[]>> = { mqtt: ['url'] };

/** A kind's configuration schema as JSON Schema (its zod schema in @sluice/connectors). */
export function typedKindSchema(kind: TypedKind): Record<string, unknown> {
  const schema = connectorKindSchema(kind);
  if (!schema) throw new Error(`@sluice/connectors has no schema for the kind '${kind}'`);
  const optional = FILLED_IN[kind];
  if (!optional || !Array.isArray(schema.config['required'])) return schema.config;
  const required = (schema.config['required'] as string[]).filter((field) => !optional.includes(field));
  return { ...schema.config, required };
}

/**
 * The typed configuration fields of a connector input, one per kind (`http: HttpConnectorConfigInput`),
 * each made from the kind's zod schema (which still validates every value: a bad one is
 * BAD_USER_INPUT naming its path, e.g. `input.http.poolSize`). Secrets are write-only: never
 * returned, listed by name in `secretsSet`. Unset fields take the library's defaults.
 */
export class TypedConnectorConfigs {
  http?: object;
  kafka?: object;
  postgres?: object;
  mysql?: object;
  redis?: object;
  rabbitmq?: object;
  mqtt?: object;
  nats?: object;
}
for (const kind of TYPED_KINDS) {
  const type = inputTypeFromJsonSchema(
    `${kind.charAt(0).toUpperCase()}${kind.slice(1)}ConnectorConfigInput`,
    typedKindSchema(kind),
  );
  Field(() => type, { nullable: true })(TypedConnectorConfigs.prototype, kind);
  IsOptional()(TypedConnectorConfigs.prototype, kind);
  IsObject()(TypedConnectorConfigs.prototype, kind);
}
InputType({ isAbstract: true })(TypedConnectorConfigs);
