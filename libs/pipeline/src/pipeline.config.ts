import { z } from 'zod';

/** Settings of the pipeline definition every service reads at start (until the GraphQL API replaces the file). */
export const pipelineConfigShape = {
  SLUICE_PIPELINE_FILE: z.string().optional(),
  /** How often ingest, rules and delivery announce status changes and counters to the gateway. */
  SLUICE_STATUS_INTERVAL_MS: z.coerce.number().int().min(50).default(1_000),
};
