import { z } from 'zod';
import { positiveInt, secret, tlsSchema } from '../shared/parse-config';

export const redisConnectorSchema = z
  .object({
    url: z
      .string()
      .regex(/^rediss?:\/\//, 'expected a redis:// or rediss:// URL')
      .describe(
        'redis://[user:password@]host:6379[/db], or rediss:// for TLS. A password in it is a secret.',
      ),
    username: z.string().optional(),
    password: secret(z.string().optional()),
    database: z.number().int().min(0).optional(),
    poolSize: positiveInt()
      .default(2)
      .describe('Connections; batches go round-robin over them, each pipelined on one connection.'),
    connectTimeoutMs: positiveInt().default(10_000),
    commandTimeoutMs: positiveInt()
      .default(15_000)
      .describe("Longest a batch's pipeline may wait for its replies."),
    tls: tlsSchema.optional(),
  })
  .strict()
  .meta({ description: 'A Redis server.' });
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
