import { Field, Float, InputType, Int } from '@nestjs/graphql';
import { IsObject, IsOptional } from 'class-validator';

// Typed configurations per connector kind, mirroring the schemas in @sluice/connectors (which still
// validate every value: a bad one is BAD_USER_INPUT naming its path, e.g. `input.http.poolSize`).
// Secrets (passwords, tokens, TLS keys, HTTP headers) are write-only: never returned, listed by
// name in `secretsSet`. Unset fields take the library's defaults.

@InputType({ description: 'TLS, PEM strings.' })
export class TlsConfigInput {
  @Field({ nullable: true, description: 'Default true.' }) enable?: boolean;
  @Field({ nullable: true }) ca?: string;
  @Field({ nullable: true }) cert?: string;
  @Field({ nullable: true, description: 'Secret: write-only.' }) key?: string;
  @Field({ nullable: true, description: 'Default true.' }) rejectUnauthorized?: boolean;
  @Field({ nullable: true }) servername?: string;
}

@InputType()
export class HeaderInput {
  @Field() name!: string;
  @Field({ description: 'Templates allowed.' }) value!: string;
}

@InputType({ description: 'An HTTP server: a pool of keep-alive connections to one origin.' })
export class HttpConnectorConfigInput {
  @Field({ description: "Base URL; an action's path is appended. A password in it is a secret." })
  url!: string;
  @Field(() => Int, { nullable: true }) poolSize?: number;
  @Field(() => Int, { nullable: true }) pipelining?: number;
  @Field(() => Int, { nullable: true }) connectTimeoutMs?: number;
  @Field(() => [HeaderInput], { nullable: true, description: 'Sent with every request. Secret: write-only.' })
  headers?: HeaderInput[];
  @Field(() => TlsConfigInput, { nullable: true }) tls?: TlsConfigInput;
}

@InputType()
export class KafkaSaslInput {
  @Field({ description: 'plain, scram-sha-256 or scram-sha-512.' }) mechanism!: string;
  @Field() username!: string;
  @Field({ description: 'Secret: write-only.' }) password!: string;
}

@InputType({ description: 'A Kafka cluster.' })
export class KafkaConnectorConfigInput {
  @Field(() => [String], { description: 'Bootstrap brokers, host:port.' }) brokers!: string[];
  @Field({ nullable: true }) clientId?: string;
  @Field(() => Int, { nullable: true }) connectTimeoutMs?: number;
  @Field(() => Int, { nullable: true }) requestTimeoutMs?: number;
  @Field(() => Int, { nullable: true }) maxInFlight?: number;
  @Field(() => KafkaSaslInput, { nullable: true }) sasl?: KafkaSaslInput;
  @Field(() => TlsConfigInput, { nullable: true }) tls?: TlsConfigInput;
}

@InputType({ description: 'A PostgreSQL or MySQL/MariaDB database.' })
export class SqlConnectorConfigInput {
  @Field({ description: 'postgres:// or mysql:// URL; a password in it is a secret.' }) url!: string;
  @Field({ nullable: true }) username?: string;
  @Field({ nullable: true, description: 'Secret: write-only.' }) password?: string;
  @Field({ nullable: true }) database?: string;
  @Field(() => Int, { nullable: true }) poolSize?: number;
  @Field(() => Int, { nullable: true }) connectTimeoutMs?: number;
  @Field(() => Int, { nullable: true }) queryTimeoutMs?: number;
  @Field(() => TlsConfigInput, { nullable: true }) tls?: TlsConfigInput;
}

@InputType({ description: 'A Redis server.' })
export class RedisConnectorConfigInput {
  @Field({ description: 'redis:// or rediss:// URL; a password in it is a secret.' }) url!: string;
  @Field({ nullable: true }) username?: string;
  @Field({ nullable: true, description: 'Secret: write-only.' }) password?: string;
  @Field(() => Int, { nullable: true }) database?: number;
  @Field(() => Int, { nullable: true }) poolSize?: number;
  @Field(() => Int, { nullable: true }) connectTimeoutMs?: number;
  @Field(() => Int, { nullable: true }) commandTimeoutMs?: number;
  @Field(() => TlsConfigInput, { nullable: true }) tls?: TlsConfigInput;
}

@InputType({ description: 'A RabbitMQ broker.' })
export class RabbitmqConnectorConfigInput {
  @Field({ description: 'amqp:// or amqps:// URL; a password in it is a secret.' }) url!: string;
  @Field(() => Int, { nullable: true }) poolSize?: number;
  @Field(() => Int, { nullable: true }) heartbeatSec?: number;
  @Field(() => Int, { nullable: true }) connectTimeoutMs?: number;
  @Field(() => TlsConfigInput, { nullable: true }) tls?: TlsConfigInput;
}

@InputType({ description: 'An MQTT broker to publish to (republish or bridge).' })
export class MqttConnectorConfigInput {
  @Field({ description: 'mqtt://, mqtts://, ws:// or wss:// URL.' }) url!: string;
  @Field({ nullable: true }) clientId?: string;
  @Field({ nullable: true }) username?: string;
  @Field({ nullable: true, description: 'Secret: write-only.' }) password?: string;
  @Field(() => Int, {
    nullable: true,
    description: '3, 4 or 5 (default: 5, or 4 when the broker refuses 5).',
  })
  protocolVersion?: number;
  @Field(() => Int, { nullable: true }) keepaliveSec?: number;
  @Field(() => Int, { nullable: true }) connectTimeoutMs?: number;
  @Field(() => Int, { nullable: true }) reconnectPeriodMs?: number;
  @Field(() => Int, { nullable: true }) poolSize?: number;
  @Field(() => TlsConfigInput, { nullable: true }) tls?: TlsConfigInput;
}

@InputType({ description: 'A NATS server or cluster.' })
export class NatsConnectorConfigInput {
  @Field(() => [String], { description: 'nats:// or tls:// URLs of one cluster.' }) servers!: string[];
  @Field({ nullable: true }) user?: string;
  @Field({ nullable: true, description: 'Secret: write-only.' }) pass?: string;
  @Field({ nullable: true, description: 'Secret: write-only.' }) token?: string;
  @Field({ nullable: true }) name?: string;
  @Field(() => Int, { nullable: true }) connectTimeoutMs?: number;
  @Field(() => Int, { nullable: true }) reconnectTimeWaitMs?: number;
  @Field(() => TlsConfigInput, { nullable: true }) tls?: TlsConfigInput;
}

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

/** The typed configuration fields of a connector input, one per kind (GraphQL name = kind). */
@InputType({ isAbstract: true })
export class TypedConnectorConfigs {
  @Field(() => HttpConnectorConfigInput, { nullable: true })
  @IsOptional()
  @IsObject()
  http?: HttpConnectorConfigInput;
  @Field(() => KafkaConnectorConfigInput, { nullable: true })
  @IsOptional()
  @IsObject()
  kafka?: KafkaConnectorConfigInput;
  @Field(() => SqlConnectorConfigInput, { nullable: true })
  @IsOptional()
  @IsObject()
  postgres?: SqlConnectorConfigInput;
  @Field(() => SqlConnectorConfigInput, { nullable: true })
  @IsOptional()
  @IsObject()
  mysql?: SqlConnectorConfigInput;
  @Field(() => RedisConnectorConfigInput, { nullable: true })
  @IsOptional()
  @IsObject()
  redis?: RedisConnectorConfigInput;
  @Field(() => RabbitmqConnectorConfigInput, { nullable: true })
  @IsOptional()
  @IsObject()
  rabbitmq?: RabbitmqConnectorConfigInput;
  @Field(() => MqttConnectorConfigInput, { nullable: true })
  @IsOptional()
  @IsObject()
  mqtt?: MqttConnectorConfigInput;
  @Field(() => NatsConnectorConfigInput, { nullable: true })
  @IsOptional()
  @IsObject()
  nats?: NatsConnectorConfigInput;
}

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
