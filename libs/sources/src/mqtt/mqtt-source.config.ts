import { redactUrlCredentials } from '@sluice/config';
import { z } from 'zod';
import { SourceConfigError } from '../errors';
import { mountpointSchema } from '../mountpoint';
import { compileTopicPattern } from '../topic-pattern';

const qosSchema = z.union([z.literal(0), z.literal(1), z.literal(2)], { error: 'expected 0, 1 or 2' });

/** MQTT topic filter rules (MQTT 5 §4.7): `#` only last and alone in its level, `+` alone in its level. */
function topicFilterProblem(filter: string): string | undefined {
  if (filter.startsWith('$share/')) return 'give the plain filter; the share group is set with shareGroup';
  const levels = filter.split('/');
  for (const [i, level] of levels.entries()) {
    if (level.includes('#') && (level !== '#' || i !== levels.length - 1)) {
      return "'#' must be the last level and stand alone";
    }
    if (level.includes('+') && level !== '+') return "'+' must stand alone in its level";
  }
  return undefined;
}

const topicSchema = z.strictObject({
  filter: z
    .string()
    .min(1, 'expected a topic filter')
    .superRefine((filter, ctx) => {
      const problem = topicFilterProblem(filter);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
  qos: qosSchema.default(1),
});

const urlSchema = z.string().superRefine((value, ctx) => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    // why redacted: this message is logged, and the URL that did not parse may hold a password
    ctx.addIssue({ code: 'custom', message: `not a URL: ${redactUrlCredentials(JSON.stringify(value))}` });
    return;
  }
  if (!['mqtt:', 'mqtts:', 'ws:', 'wss:'].includes(url.protocol)) {
    ctx.addIssue({
      code: 'custom',
      message: `expected mqtt://, mqtts://, ws:// or wss://, got ${url.protocol}//`,
    });
  }
});

const int = (min: number, max: number) =>
  z
    .number({ error: 'expected a number' })
    .int('expected an integer')
    .min(min, `expected at least ${min}`)
    .max(max, `expected at most ${max}`);

export const mqttSourceConfigSchema = z
  .strictObject({
    id: z.string().min(1, 'expected a source id'),
    tenant: z.string().min(1, 'expected a tenant id'),
    url: urlSchema,
    username: z.string().optional(),
    password: z.string().optional().meta({ writeOnly: true }),
    /** PEM text. */
    tls: z
      .strictObject({
        ca: z.string().optional(),
        cert: z.string().optional(),
        key: z.string().optional().meta({ writeOnly: true }),
        rejectUnauthorized: z.boolean().default(true),
      })
      .optional(),
    /** Connection n (0-based) uses client id `<clientIdPrefix>-<n>`; stable so persistent sessions resume. */
    clientIdPrefix: z
      .string()
      .regex(/^[A-Za-z0-9_.:-]{1,60}$/, 'expected 1-60 letters, digits, "_", ".", ":" or "-"')
      .optional(),
    /** 3 = MQTT 3.1, 4 = MQTT 3.1.1, 5 = MQTT 5. */
    protocolVersion: z
      .union([z.literal(3), z.literal(4), z.literal(5)], { error: 'expected 3, 4 or 5' })
      .default(5),
    /** `true`: a clean start, the broker forgets the session; `false`: a persistent session. */
    clean: z.boolean().default(false),
    /** MQTT 5: seconds the broker keeps a persistent session after a disconnect. */
    sessionExpiryInterval: int(0, 0xffffffff).default(7200),
    keepalive: int(1, 65535).default(30),
    topics: z.array(topicSchema).min(1, 'expected at least one topic'),
    /**
     * The tenant's namespace on a shared broker: every filter is subscribed under it, and it is
     * taken off the topic (and response topic) of what arrives, so rules see the tenant's own view.
     */
    mountpoint: mountpointSchema.optional(),
    /** `null` or `false`: plain subscriptions on one connection, for brokers without `$share`. */
    shareGroup: z
      .union([
        z.string().regex(/^[^/+#]+$/, 'expected a name without "/", "+" or "#"'),
        z.null(),
        z.literal(false),
      ])
      .default('sluice'),
    connections: int(1, 64).default(1),
    /** Unacknowledged messages per connection; also the MQTT 5 Receive Maximum sent in CONNECT. */
    maxInFlight: int(1, 65535).default(256),
    /** Per-connection read limit; the socket is paused when over it. */
    bytesPerSecond: int(1, Number.MAX_SAFE_INTEGER).optional(),
    /** `devices/{clientid}/telemetry`: takes clientid/username from topic levels. */
    topicPattern: z
      .string()
      .superRefine((pattern, ctx) => {
        try {
          compileTopicPattern(pattern);
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: (error as Error).message });
        }
      })
      .optional(),
    /**
     * `'emqx'`: also subscribe to EMQX's client lifecycle messages
     * (`$SYS/brokers/<node>/clients/<clientid>/connected|disconnected`, QoS 0) and hand them to the
     * rules as the events `$events/client/connected|disconnected` (docs/rule-sql.md, Events).
     */
    clientEvents: z.literal('emqx', { error: "expected 'emqx'" }).optional(),
    /** MQTT 5 user property names that carry the publisher's clientid/username. */
    userPropertyFields: z
      .strictObject({ clientid: z.string().min(1).optional(), username: z.string().min(1).optional() })
      .optional(),
    reconnectPeriodMs: int(10, 3_600_000).default(1000),
    maxReconnectPeriodMs: int(10, 3_600_000).default(30_000),
    connectTimeoutMs: int(100, 600_000).default(10_000),
    /** How long start() waits for every connection to subscribe before it returns and keeps trying. */
    startTimeoutMs: int(0, 600_000).default(15_000),
    /** How long stop() waits for in-flight sinks before it disconnects without their acks. */
    drainTimeoutMs: int(0, 600_000).default(10_000),
  })
  .superRefine((config, ctx) => {
    if (config.protocolVersion === 5 && !config.clean && config.sessionExpiryInterval === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['sessionExpiryInterval'],
        message: 'a persistent session (clean: false) with MQTT 5 needs a session expiry above 0',
      });
    }
    if (config.clientEvents && config.mountpoint) {
      // why: $SYS is the whole broker's; a tenant confined to a mountpoint must not see other tenants' clients
      ctx.addIssue({
        code: 'custom',
        path: ['clientEvents'],
        message:
          "a source with a mountpoint cannot map the broker's $SYS client events (they are every tenant's)",
      });
    }
    if (config.maxReconnectPeriodMs < config.reconnectPeriodMs) {
      ctx.addIssue({
        code: 'custom',
        path: ['maxReconnectPeriodMs'],
        message: 'expected at least reconnectPeriodMs',
      });
    }
  });

/** A validated MQTT source configuration (defaults applied). */
export type MqttSourceConfig = z.infer<typeof mqttSourceConfigSchema>;
/** What a caller may pass: defaults may be left out. */
export type MqttSourceConfigInput = z.input<typeof mqttSourceConfigSchema>;

/**
 * Validates a source configuration and applies its defaults; throws {@link SourceConfigError}
 * naming every bad field.
 *
 * @example parseMqttSourceConfig({ id: 's1', tenant: 't1', url: 'mqtt://127.0.0.1', topics: [{ filter: 'a/#' }] });
 */
export function parseMqttSourceConfig(input: unknown): MqttSourceConfig {
  const result = mqttSourceConfigSchema.safeParse(input);
  if (result.success) return result.data;
  throw new SourceConfigError(
    result.error.issues.map((issue) => ({
      field: issue.path.map(String).join('.') || '(root)',
      problem:
        issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.join(', ')}` : issue.message,
    })),
  );
}
