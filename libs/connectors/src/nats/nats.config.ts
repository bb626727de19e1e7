import { z } from 'zod';
import { positiveInt, secret, tlsSchema } from '../shared/parse-config';

const natsUrl = z.string().regex(/^(nats|tls|wss?):\/\//, 'expected a nats:// or tls:// URL');

export const natsConnectorSchema = z
  .object({
    servers: z
      .union([natsUrl, z.array(natsUrl).nonempty()])
      .describe('nats:// or tls:// URLs of one cluster (or one URL).'),
    user: z.string().optional(),
    pass: secret(z.string().optional()),
    token: secret(z.string().optional()),
    name: z
      .string()
      .default('sluice-connector')
      .describe('Connection name shown by the server (nats server report connections).'),
    connectTimeoutMs: positiveInt().default(10_000),
    reconnectTimeWaitMs: positiveInt().default(1_000),
    tls: tlsSchema.optional(),
  })
  .strict()
  .meta({ description: 'A NATS server or cluster.' });
export type NatsConnectorConfig = z.output<typeof natsConnectorSchema>;

export const natsActionSchema = z
  .object({
    /** Subject template: `devices.${clientid}.telemetry`. */
    subject: z.string().min(1),
    /** Payload template; by default the whole rule output as JSON. */
    payload: z.string().default('${.}'),
    /** Header templates (the record's `traceparent` is added unless set here). */
    headers: z.record(z.string(), z.string()).default({}),
    /**
     * Publish to JetStream and wait for each PubAck; the record id goes in `Nats-Msg-Id`, so the
     * stream drops redeliveries inside its duplicate window. Off: core NATS, confirmed by a flush.
     */
    jetstream: z.boolean().default(false),
    publishTimeoutMs: positiveInt().default(15_000),
    maxBatchSize: positiveInt().default(256),
  })
  .strict();
export type NatsActionConfig = z.output<typeof natsActionSchema>;
