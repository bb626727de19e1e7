import { busConfigShape } from '@sluice/bus';
import { httpPortShape, loadConfig, logConfigShape, shutdownConfigShape } from '@sluice/config';
import { pipelineConfigShape } from '@sluice/pipeline';
import { z } from 'zod';

export const rulesConfigShape = {
  ...busConfigShape,
  ...pipelineConfigShape,
  /** Ingested messages being evaluated at once (the INGEST consumer's in-flight window). */
  SLUICE_RULES_CONCURRENCY: z.coerce.number().int().positive().default(256),
  /** How often the backlog of each bounded action queue is read from the bus (docs/delivery.md). */
  SLUICE_RULES_QUEUE_REFRESH_MS: z.coerce.number().int().positive().default(500),
};

const rulesConfigSchema = z.object({
  ...httpPortShape(4002),
  ...logConfigShape,
  ...shutdownConfigShape,
  ...rulesConfigShape,
});
export type RulesConfig = z.infer<typeof rulesConfigSchema>;
export type RulesSettings = Pick<RulesConfig, keyof typeof rulesConfigShape>;

export const loadRulesConfig = (env = process.env) => loadConfig(rulesConfigSchema, env);
