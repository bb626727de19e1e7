import { z } from 'zod';
import { positiveInt, tlsSchema } from '../shared/parse-config';

export const rabbitmqConnectorSchema = z
  .object({
    url: z
      .string()
      .regex(/^amqps?:\/\//, 'expected an amqp:// or amqps:// URL')
      .describe('amqp://user:password@host:5672/vhost, or amqps:// for TLS. A password in it is a secret.'),
    poolSize: positiveInt()
      .default(4)
      .describe('Confirm channels on the one connection; batches go round-robin over them.'),
    heartbeatSec: z.number().int().min(0).default(30),
    connectTimeoutMs: positiveInt().default(10_000),
    tls: tlsSchema.optional(),
  })
  .strict()
  .meta({ description: 'A RabbitMQ broker.' });
export type RabbitmqConnectorConfig = z.output<typeof rabbitmqConnectorSchema>;

export const rabbitmqActionSchema = z
  .object({
    /** Exchange to publish to; '' is the default exchange (the routing key is then a queue name). */
    exchange: z.string().default(''),
    /** Routing key template: `devices.${clientid}`. */
    routingKey: z.string().min(1),
    /** Payload template; by default the whole rule output as JSON. */
    payload: z.string().default('${.}'),
    /** Header templates (the record's `traceparent` is added unless set here). */
    headers: z.record(z.string(), z.string()).default({}),
    /** Delivery mode 2: the broker writes the message to disk in a durable queue. */
    persistent: z.boolean().default(true),
    contentType: z.string().default('application/json'),
    /** Longest a batch may wait for the broker's publisher confirms. */
    publishTimeoutMs: positiveInt().default(15_000),
    maxBatchSize: positiveInt().default(100),
  })
  .strict();
export type RabbitmqActionConfig = z.output<typeof rabbitmqActionSchema>;
