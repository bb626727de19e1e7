import { z } from 'zod';
import { positiveInt, tlsSchema } from '../shared/parse-config';

export const redisConnectorSchema = z
  .object({
    /** `redis://[user:password@]host:6379[/db]` or `rediss://` for TLS. */
    url: z.string().regex(/^rediss?:\/\//, 'expected a redis:// or rediss:// URL'),
    username: z.string().optional(),
    password: z.string().optional(),
    database: z.number().int().min(0).optional(),
    /** Connections; batches go round-robin over them, each pipelined on one connection. */
    poolSize: positiveInt().default(2),
    connectTimeoutMs: positiveInt().default(10_000),
    /** Longest a batch's pipeline may wait for its replies. */
    commandTimeoutMs: positiveInt().default(15_000),
    tls: tlsSchema.optional(),
  })
  .strict();
export type RedisConnectorConfig = z.output<typeof redisConnectorSchema>;

export const redisActionSchema = z
  .object({
    /** Command template, split on whitespace: `HSET ${topic} ${clientid} ${payload}`. */
    command: z.string().trim().min(1),
    /** Commands per pipeline. */
    maxBatchSize: positiveInt().default(100),
  })
  .strict();
export type RedisActionConfig = z.output<typeof redisActionSchema>;
