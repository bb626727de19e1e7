import { z } from 'zod';

/** The publish API's settings; the gateway spreads this shape into its configuration schema. */
export const publishConfigShape = {
  /** Largest payload in bytes, after base64 decoding (HTTP 413 above). */
  SLUICE_PUBLISH_MAX_PAYLOAD_BYTES: z.coerce.number().int().positive().default(1_048_576),
  /** Most messages in one bulk request or `topics` list. */
  SLUICE_PUBLISH_MAX_BATCH: z.coerce.number().int().positive().default(1_000),
  /** Messages per second for a key without a limit of its own. */
  SLUICE_PUBLISH_RATE_LIMIT: z.coerce.number().int().positive().default(1_000),
  /** Redis URL for the rate-limit counters, shared by every gateway replica (unset: in memory, per replica). */
  SLUICE_PUBLISH_RATE_LIMIT_REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/.+/, 'expected redis://host:port or rediss://host:port')
    .optional(),
  /** MQTT connections per tenant and broker. */
  SLUICE_PUBLISH_POOL_SIZE: z.coerce.number().int().min(1).max(64).default(2),
  /** How long a request waits for a broker connection before 503. */
  SLUICE_PUBLISH_CONNECT_TIMEOUT_MS: z.coerce.number().int().positive().default(3_000),
  /** How long a QoS 1/2 publish waits for the broker's acknowledgement before 503. */
  SLUICE_PUBLISH_ACK_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  /** Retry-After, in seconds, of a 503. */
  SLUICE_PUBLISH_RETRY_AFTER_SECONDS: z.coerce.number().int().positive().default(5),
};
const publishConfigSchema = z.object(publishConfigShape);
export type PublishConfig = z.infer<typeof publishConfigSchema>;

/**
 * The publish settings from a configuration object that may not carry them yet (defaults apply).
 *
 * @example resolvePublishConfig({}).SLUICE_PUBLISH_POOL_SIZE; // 2
 */
export function resolvePublishConfig(settings: object): PublishConfig {
  const source = settings as Record<string, unknown>;
  const picked = Object.fromEntries(Object.keys(publishConfigShape).map((key) => [key, source[key]]));
  return publishConfigSchema.parse(picked);
}
