import { redactUrlCredentials } from '@sluice/config';
import { z } from 'zod';
import { parseSourceConfig } from '../parse-source-config';

const int = (min: number, max: number) =>
  z
    .number({ error: 'expected a number' })
    .int('expected an integer')
    .min(min, `expected at least ${min}`)
    .max(max, `expected at most ${max}`);

const serverSchema = z.string().superRefine((value, ctx) => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    // why redacted: this message is logged, and the URL that did not parse may hold a password
    ctx.addIssue({ code: 'custom', message: `not a URL: ${redactUrlCredentials(JSON.stringify(value))}` });
    return;
  }
  if (!['nats:', 'tls:'].includes(url.protocol)) {
    ctx.addIssue({ code: 'custom', message: `expected nats:// or tls://, got ${url.protocol}//` });
  }
});

/** NATS subject syntax: `.`-separated tokens, `*` a whole token, `>` only as the last token. */
const subjectSchema = z
  .string()
  .min(1, 'expected a subject')
  .superRefine((subject, ctx) => {
    const tokens = subject.split('.');
    tokens.forEach((token, i) => {
      if (token === '' || /\s/.test(token))
        ctx.addIssue({ code: 'custom', message: 'empty token or whitespace' });
      else if (token.includes('>') && (token !== '>' || i !== tokens.length - 1)) {
        ctx.addIssue({ code: 'custom', message: "'>' must be the last token and stand alone" });
      } else if (token.includes('*') && token !== '*') {
        ctx.addIssue({ code: 'custom', message: "'*' must stand alone in its token" });
      }
    });
  });

export const natsSourceConfigSchema = z
  .strictObject({
    id: z.string().min(1, 'expected a source id'),
    tenant: z.string().min(1, 'expected a tenant id'),
    servers: z.array(serverSchema).min(1, 'expected at least one server'),
    user: z.string().optional(),
    pass: z.string().optional().meta({ writeOnly: true }),
    token: z.string().optional().meta({ writeOnly: true }),
    /** PEM text. */
    tls: z
      .strictObject({
        ca: z.string().optional(),
        cert: z.string().optional(),
        key: z.string().optional().meta({ writeOnly: true }),
      })
      .optional(),
    /**
     * Core NATS: one subscription per subject, at-most-once. With `jetstream`: the filter subjects
     * of the durable consumer the source creates (ignored when the consumer exists).
     */
    subjects: z.array(subjectSchema).min(1, 'expected at least one subject'),
    /** Core NATS queue group, so that several ingest replicas share the subjects. `null`: none. */
    queueGroup: z.string().min(1).nullable().optional(),
    /** Read from a JetStream stream through a durable pull consumer, at-least-once. */
    jetstream: z
      .strictObject({
        stream: z.string().regex(/^[^.*>\s/\\]+$/, 'expected a stream name without ".", "*", ">" or spaces'),
        durable: z
          .string()
          .regex(/^[^.*>\s/\\]+$/, 'expected a consumer name without ".", "*", ">" or spaces'),
        /** Create the consumer when it does not exist (explicit acks, max ack pending = maxInFlight). */
        create: z.boolean().default(true),
        /** For a created consumer: from the first message of the stream, or only new ones. */
        deliverPolicy: z.enum(['all', 'new'], { error: 'expected all or new' }).default('all'),
        /** For a created consumer: how long the server waits for our ack before it redelivers. */
        ackWaitMs: int(1000, 3_600_000).default(30_000),
      })
      .optional(),
    /** `slashes`: `a.b.c` becomes MQTT topic `a/b/c`; `as-is`: the subject unchanged. */
    topicMapping: z.enum(['slashes', 'as-is'], { error: 'expected slashes or as-is' }).default('slashes'),
    /** Put in front of the mapped topic, e.g. `nats/`. */
    topicPrefix: z.string().default(''),
    /** Header names that carry the publisher's clientid/username. */
    headerFields: z
      .strictObject({ clientid: z.string().min(1).optional(), username: z.string().min(1).optional() })
      .optional(),
    /** Messages handed to the sink and not yet settled; more are not pulled (JetStream) or dropped (core). */
    maxInFlight: int(1, 1_000_000).default(1000),
    /** How long stop() waits for in-flight sinks before it closes the connection. */
    drainTimeoutMs: int(0, 600_000).default(10_000),
  })
  .superRefine((config, ctx) => {
    if (config.topicPrefix.includes('+') || config.topicPrefix.includes('#')) {
      ctx.addIssue({
        code: 'custom',
        path: ['topicPrefix'],
        message: "an MQTT topic cannot contain '+' or '#'",
      });
    }
    if (config.jetstream && config.queueGroup) {
      ctx.addIssue({
        code: 'custom',
        path: ['queueGroup'],
        message: 'a queue group is for core NATS; JetStream consumers share by their durable name',
      });
    }
  });

/** A validated NATS source configuration (defaults applied). */
export type NatsSourceConfig = z.infer<typeof natsSourceConfigSchema>;
/** What a caller may pass: defaults may be left out. */
export type NatsSourceConfigInput = z.input<typeof natsSourceConfigSchema>;

/**
 * Validates a NATS source configuration; throws `SourceConfigError` naming every bad field.
 *
 * @example parseNatsSourceConfig({ id: 'n', tenant: 't', servers: ['nats://127.0.0.1:4222'], subjects: ['sensors.>'] });
 */
export function parseNatsSourceConfig(input: unknown): NatsSourceConfig {
  return parseSourceConfig(natsSourceConfigSchema, input);
}
