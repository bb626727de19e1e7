import { z } from 'zod';
import { parseSourceConfig } from '../parse-source-config';

const int = (min: number, max: number) =>
  z
    .number({ error: 'expected a number' })
    .int('expected an integer')
    .min(min, `expected at least ${min}`)
    .max(max, `expected at most ${max}`);

const brokerSchema = z
  .string()
  .regex(/^[A-Za-z0-9.-]+:\d{1,5}$|^\[[0-9A-Fa-f:]+\]:\d{1,5}$/, 'expected host:port');

const regexSchema = z.string().superRefine((source, ctx) => {
  try {
    new RegExp(source);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `not a regular expression: ${(error as Error).message}` });
  }
});

/** Placeholders a topic template may use; anything else in braces is an error. */
const TEMPLATE_FIELDS = ['topic', 'partition'] as const;

const topicTemplateSchema = z.string().superRefine((template, ctx) => {
  for (const [, name] of template.matchAll(/\{([^}]*)\}/g)) {
    if (!(TEMPLATE_FIELDS as readonly string[]).includes(name ?? '')) {
      ctx.addIssue({ code: 'custom', message: `unknown placeholder {${name}}; use {topic} or {partition}` });
    }
  }
  if (!template.includes('{topic}'))
    ctx.addIssue({ code: 'custom', message: 'expected {topic} in the template' });
  if (/[+#]/.test(template))
    ctx.addIssue({ code: 'custom', message: "an MQTT topic cannot contain '+' or '#'" });
});

export const kafkaSourceConfigSchema = z
  .strictObject({
    id: z.string().min(1, 'expected a source id'),
    tenant: z.string().min(1, 'expected a tenant id'),
    brokers: z.array(brokerSchema).min(1, 'expected at least one broker'),
    /** Topic names; with `topicRegex` too, the source reads both. */
    topics: z
      .array(z.string().min(1, 'expected a topic name'))
      .min(1, 'expected at least one topic')
      .optional(),
    /** A JavaScript regular expression matched against the topic names the cluster has at subscribe time. */
    topicRegex: regexSchema.optional(),
    /** Consumer group; committed offsets belong to it. Default `sluice-<tenant>-<id>`. */
    groupId: z.string().min(1).optional(),
    clientId: z.string().min(1).optional(),
    /** Where a group without a committed offset starts: the earliest offset (true) or new messages only. */
    fromBeginning: z.boolean().default(false),
    ssl: z
      .union([
        z.boolean(),
        z.strictObject({
          ca: z.string().optional(),
          cert: z.string().optional(),
          key: z.string().optional().meta({ writeOnly: true }),
          rejectUnauthorized: z.boolean().default(true),
        }),
      ])
      .default(false),
    sasl: z
      .strictObject({
        mechanism: z.enum(['plain', 'scram-sha-256', 'scram-sha-512'], {
          error: 'expected plain, scram-sha-256 or scram-sha-512',
        }),
        username: z.string().min(1, 'expected a username'),
        password: z.string().meta({ writeOnly: true }),
      })
      .optional(),
    /** The MQTT topic the rules see: `{topic}` is the Kafka topic, `{partition}` its partition. */
    topicTemplate: topicTemplateSchema.default('kafka/{topic}'),
    /** Where the record key goes: the clientid field, the username field, a user property, or nowhere. */
    key: z
      .union([
        z.enum(['clientid', 'username', 'none'], {
          error: 'expected clientid, username, none or { userProperty }',
        }),
        z.strictObject({ userProperty: z.string().min(1, 'expected a property name') }),
      ])
      .default('clientid'),
    /** Records handed to the sink and not yet stored; the consumer pauses at this many. */
    maxInFlight: int(1, 1_000_000).default(1000),
    sessionTimeoutMs: int(1000, 3_600_000).default(30_000),
    heartbeatIntervalMs: int(100, 600_000).default(3_000),
    connectionTimeoutMs: int(100, 600_000).default(10_000),
    /** How long stop() waits for in-flight sinks before it disconnects without committing them. */
    drainTimeoutMs: int(0, 600_000).default(10_000),
  })
  .superRefine((config, ctx) => {
    if (config.topics === undefined && config.topicRegex === undefined) {
      ctx.addIssue({ code: 'custom', path: ['topics'], message: 'expected topics, topicRegex or both' });
    }
    if (config.heartbeatIntervalMs >= config.sessionTimeoutMs) {
      ctx.addIssue({
        code: 'custom',
        path: ['heartbeatIntervalMs'],
        message: 'expected less than sessionTimeoutMs',
      });
    }
  });

/** A validated Kafka source configuration (defaults applied). */
export type KafkaSourceConfig = z.infer<typeof kafkaSourceConfigSchema>;
/** What a caller may pass: defaults may be left out. */
export type KafkaSourceConfigInput = z.input<typeof kafkaSourceConfigSchema>;

/**
 * Validates a Kafka source configuration; throws `SourceConfigError` naming every bad field.
 *
 * @example parseKafkaSourceConfig({ id: 'k', tenant: 't', brokers: ['127.0.0.1:9092'], topics: ['events'] });
 */
export function parseKafkaSourceConfig(input: unknown): KafkaSourceConfig {
  return parseSourceConfig(kafkaSourceConfigSchema, input);
}
