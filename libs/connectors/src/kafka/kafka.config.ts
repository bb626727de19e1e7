import { z } from 'zod';
import { positiveInt, secret, tlsSchema } from '../shared/parse-config';

export const kafkaConnectorSchema = z
  .object({
    brokers: z
      .array(z.string().regex(/^[^:\s]+:\d+$/, 'expected host:port'))
      .nonempty()
      .describe('Bootstrap brokers, host:port.'),
    clientId: z.string().min(1).default('sluice'),
    connectTimeoutMs: positiveInt().default(10_000),
    requestTimeoutMs: positiveInt()
      .default(30_000)
      .describe('Longest a produce request may wait for the broker.'),
    maxInFlight: positiveInt().default(10).describe('Produce requests in flight per broker connection.'),
    sasl: z
      .object({
        mechanism: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']),
        username: z.string(),
        password: secret(z.string()),
      })
      .strict()
      .meta({ title: 'KafkaSasl' })
      .optional(),
    tls: tlsSchema.optional(),
  })
  .strict()
  .meta({ description: 'A Kafka cluster.' });
export type KafkaConnectorConfig = z.output<typeof kafkaConnectorSchema>;

export const kafkaActionSchema = z
  .object({
    /** Topic template. */
    topic: z.string().min(1),
    /** Key template; none by default (no key). */
    key: z.string().optional(),
    /** Value template; by default the whole rule output as JSON. */
    value: z.string().default('${.}'),
    /** Timestamp template giving epoch milliseconds (`${timestamp}`); the send time when absent or not a number. */
    timestamp: z.string().optional(),
    /** Header templates (the record's `traceparent` is added unless set here). */
    headers: z.record(z.string(), z.string()).default({}),
    /** `random` spreads records; `key_dispatch` hashes the key (murmur2, as the Java client). */
    partitionStrategy: z.enum(['random', 'key_dispatch']).default('random'),
    compression: z
      .enum(['none', 'gzip', 'snappy', 'lz4', 'zstd'])
      .default('none')
      .describe('Record-batch compression; consumers of every Kafka client read all five.'),
    /** `all` waits for every in-sync replica, `leader` for the leader, `none` for nothing. */
    requiredAcks: z.enum(['all', 'leader', 'none']).default('all'),
    /** Records per produce request. */
    maxBatchSize: positiveInt().default(500),
    /** Bytes (values and keys) per produce request. */
    maxBatchBytes: positiveInt().default(1_048_576),
    /** Wait this long to gather records from concurrent sends into one request (0: send at once). */
    lingerMs: z.number().int().min(0).default(0),
  })
  .strict();
export type KafkaActionConfig = z.output<typeof kafkaActionSchema>;
