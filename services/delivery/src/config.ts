import { busConfigShape } from '@sluice/bus';
import { httpPortShape, loadConfig, logConfigShape } from '@sluice/config';
import { pipelineConfigShape } from '@sluice/pipeline';
import { z } from 'zod';

export const deliveryConfigShape = {
  ...busConfigShape,
  ...pipelineConfigShape,
  /** Action requests in flight per connector (its consumer's max ack pending). */
  SLUICE_DELIVERY_CONCURRENCY: z.coerce.number().int().positive().default(64),
  SLUICE_DELIVERY_MAX_ATTEMPTS: z.coerce.number().int().positive().default(5),
  SLUICE_DELIVERY_BACKOFF_MS: z.coerce.number().int().positive().default(200),
  SLUICE_DELIVERY_MAX_BACKOFF_MS: z.coerce.number().int().positive().default(30_000),
};

const deliveryConfigSchema = z.object({ ...httpPortShape(4003), ...logConfigShape, ...deliveryConfigShape });
export type DeliveryConfig = z.infer<typeof deliveryConfigSchema>;
export type DeliverySettings = Pick<DeliveryConfig, keyof typeof deliveryConfigShape>;

export const loadDeliveryConfig = (env = process.env) => loadConfig(deliveryConfigSchema, env);
