import { z } from 'zod';
import { positiveInt, secret, tlsSchema } from '../shared/parse-config';

export const mqttConnectorSchema = z
  .object({
    url: z
      .string()
      .regex(/^(mqtts?|wss?|tcp|ssl):\/\//, 'expected an mqtt://, mqtts://, ws:// or wss:// URL')
      .describe(
        "mqtt://, mqtts://, ws:// or wss:// URL of another broker (a bridge); left out, a tenant's connector republishes on the operator's broker, in the tenant's namespace.",
      ),
    clientId: z.string().min(1).optional().describe('Client id prefix; each pooled client adds _<n>.'),
    username: z.string().optional(),
    password: secret(z.string().optional()),
    protocolVersion: z
      .union([z.literal(3), z.literal(4), z.literal(5)])
      .optional()
      .describe(
        '3, 4 or 5; unset: 5, falling back to 4 (3.1.1) when the broker refuses 5 (the embedded broker does).',
      ),
    keepaliveSec: z.number().int().min(0).default(60),
    connectTimeoutMs: positiveInt().default(10_000),
    reconnectPeriodMs: positiveInt().default(1_000),
    poolSize: positiveInt()
      .default(1)
      .describe("Clients; batches go round-robin over them (the broker's Receive Maximum applies to each)."),
    tls: tlsSchema.optional(),
    /**
     * Set by Sluice, never by a tenant: the tenant's namespace on the operator's broker, put in
     * front of every topic published (a tenant's connector without `url`; docs/security.md).
     */
    mountpoint: z
      .string()
      .regex(
        /^[^$+#/][^+#]*\/$/,
        'expected a topic prefix ending in "/", without "+", "#" or a leading "$" or "/"',
      )
      .optional(),
  })
  .strict()
  .meta({ description: 'An MQTT broker to publish to (republish or bridge).' });
export type MqttConnectorConfig = z.output<typeof mqttConnectorSchema>;

export const mqttActionSchema = z
  .object({
    /** Topic template; a missing value renders empty, as EMQX's MQTT egress does. */
    topic: z.string().min(1),
    qos: z.union([z.literal(0), z.literal(1), z.literal(2)]).default(1),
    retain: z.boolean().default(false),
    /** Payload template; by default the whole rule output as JSON. */
    payload: z.string().default('${.}'),
    /** MQTT 5 user property templates (the record's `traceparent` is added unless set here). */
    userProperties: z.record(z.string(), z.string()).default({}),
    /** Longest a batch may wait for its PUBACKs (QoS 1) or PUBCOMPs (QoS 2). */
    publishTimeoutMs: positiveInt().default(15_000),
    maxBatchSize: positiveInt().default(100),
  })
  .strict();
export type MqttActionConfig = z.output<typeof mqttActionSchema>;
