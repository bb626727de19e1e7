import { busConfigShape } from '@sluice/bus';
import { httpPortShape, loadConfig, logConfigShape, shutdownConfigShape } from '@sluice/config';
import { connectorTargetsConfigShape } from '@sluice/connectors';
import { pipelineConfigShape } from '@sluice/pipeline';
import { z } from 'zod';

export const deliveryConfigShape = {
  ...busConfigShape,
  ...pipelineConfigShape,
  ...connectorTargetsConfigShape,
  /** The operator's broker: where an MQTT connector without `url` republishes, in its tenant's namespace. */
  SLUICE_MQTT_URL: z.url({ message: 'expected a broker URL such as mqtt://host:1883' }).optional(),
  SLUICE_MQTT_USERNAME: z.string().optional(),
  SLUICE_MQTT_PASSWORD: z.string().optional(),
  /** Action requests in flight per connector (its consumer's max ack pending). */
  SLUICE_DELIVERY_CONCURRENCY: z.coerce.number().int().positive().default(64),
  SLUICE_DELIVERY_MAX_ATTEMPTS: z.coerce.number().int().positive().default(5),
  SLUICE_DELIVERY_BACKOFF_MS: z.coerce.number().int().positive().default(200),
  SLUICE_DELIVERY_MAX_BACKOFF_MS: z.coerce.number().int().positive().default(30_000),
  /** A send with no answer after this long fails (retryable DELIVERY_TIMEOUT); keep it under the ack wait. */
  SLUICE_DELIVERY_SEND_TIMEOUT_MS: z.coerce.number().int().positive().default(15_000),
  /** Where a target takes batches: how long a batch waits to fill; 0: what arrives in the same event-loop turn. */
  SLUICE_DELIVERY_BATCH_WINDOW_MS: z.coerce.number().int().nonnegative().default(0),
  /** Consecutive retryable failures that open a connector's circuit. */
  SLUICE_DELIVERY_BREAKER_THRESHOLD: z.coerce.number().int().positive().default(5),
  /** How long an open circuit pauses deliveries before a probe (doubles per failed probe, up to 6x). */
  SLUICE_DELIVERY_BREAKER_OPEN_MS: z.coerce.number().int().positive().default(5_000),
  /** Requests older than this are dropped as `expired` (and dead-lettered); 0: never. */
  SLUICE_DELIVERY_REQUEST_TTL_MS: z.coerce.number().int().nonnegative().default(0),
};

const deliveryConfigSchema = z.object({
  ...httpPortShape(4003),
  ...logConfigShape,
  ...shutdownConfigShape,
  ...deliveryConfigShape,
});
export type DeliveryConfig = z.infer<typeof deliveryConfigSchema>;
export type DeliverySettings = Pick<DeliveryConfig, keyof typeof deliveryConfigShape>;

export const loadDeliveryConfig = (env = process.env) =>
  loadConfig(deliveryConfigSchema, env, { sensitive: ['SLUICE_MQTT_PASSWORD'] });
