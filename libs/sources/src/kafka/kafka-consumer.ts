import { registerKafkaCodecs } from '@sluice/connectors';
import type { EachMessagePayload, TopicPartitionOffsetAndMetadata } from 'kafkajs';
import type { SourceTargets } from '../types';
import type { KafkaSourceConfig } from './kafka-source.config';

/** The consumer events the source follows; `payload` as kafkajs sends it. */
export type KafkaConsumerEvent = 'consumer.group_join' | 'consumer.crash' | 'consumer.disconnect';

/**
 * The part of a kafkajs `Consumer` the source uses; narrow so that unit tests can drive the
 * source with a typed fake.
 */
export interface KafkaConsumerLike {
  connect(): Promise<void>;
  subscribe(subscription: { topics: (string | RegExp)[]; fromBeginning?: boolean }): Promise<void>;
  run(config: {
    autoCommit: boolean;
    partitionsConsumedConcurrently?: number;
    eachMessage: (payload: EachMessagePayload) => Promise<void>;
  }): Promise<void>;
  commitOffsets(offsets: TopicPartitionOffsetAndMetadata[]): Promise<void>;
  pause(topics: { topic: string; partitions?: number[] }[]): void;
  resume(topics: { topic: string; partitions?: number[] }[]): void;
  disconnect(): Promise<void>;
  on(event: KafkaConsumerEvent, listener: (event: { payload: unknown }) => void): () => void;
}

/** `targets`: a tenant's source, whose brokers (and those the cluster advertises) are checked. */
export type KafkaConsumerFactory = (config: KafkaSourceConfig, targets?: SourceTargets) => KafkaConsumerLike;

/** The real kafkajs consumer for a configuration. */
export const createKafkaConsumer: KafkaConsumerFactory = (config, targets) => {
  const name = `sluice-${config.tenant}-${config.id}`;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the driver loads with the first source of its kind (docs/architecture.md, "Memory")
  const driver = require('kafkajs') as typeof import('kafkajs');
  registerKafkaCodecs(driver); // snappy, lz4 and zstd batches: kafkajs reads only gzip by itself
  const { Kafka, logLevel } = driver;
  const kafka = new Kafka({
    clientId: config.clientId ?? name,
    brokers: config.brokers,
    ssl: config.ssl,
    connectionTimeout: config.connectionTimeoutMs,
    logLevel: logLevel.WARN,
    ...(config.sasl ? { sasl: saslOptions(config.sasl) } : {}),
    // why a socket factory for a tenant's source: every broker connection, the advertised brokers'
    // too, resolves the name once and connects only to the addresses the policy checked
    ...(targets && {
      socketFactory: ({ host, port, ssl, onConnect }) => {
        const socket = targets.socketTo({ host, port }, ssl ? ssl : undefined, onConnect);
        socket.setKeepAlive(true, 60_000);
        return socket;
      },
    }),
  });
  return kafka.consumer({
    groupId: config.groupId ?? name,
    sessionTimeout: config.sessionTimeoutMs,
    heartbeatInterval: config.heartbeatIntervalMs,
  });
};

function saslOptions(sasl: NonNullable<KafkaSourceConfig['sasl']>) {
  const { username, password } = sasl;
  switch (sasl.mechanism) {
    case 'plain':
      return { mechanism: 'plain' as const, username, password };
    case 'scram-sha-256':
      return { mechanism: 'scram-sha-256' as const, username, password };
    case 'scram-sha-512':
      return { mechanism: 'scram-sha-512' as const, username, password };
  }
}
