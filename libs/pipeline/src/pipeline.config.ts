import { z } from 'zod';

/** Settings of the pipeline definition every service reads at start (until the GraphQL API replaces the file). */
export const pipelineConfigShape = {
  SLUICE_PIPELINE_FILE: z.string().optional(),
};
