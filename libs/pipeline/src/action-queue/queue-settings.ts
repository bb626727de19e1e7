import { ConnectorConfigInvalidError } from '@sluice/connectors';
import { z } from 'zod';

/**
 * The bound of a connector's action queue (its backlog in the ACTIONS stream) and what happens when
 * it is full. `backpressure`: the rules stage holds the INGEST message and tries again later, so the
 * pressure reaches the broker. `drop_new`: the new request is dead-lettered (ACTION_QUEUE_FULL,
 * re-drivable) and counted as dropped with reason `queue_full`.
 */
export const actionQueueSchema = z
  .strictObject({
    maxMessages: z.number().int().positive().optional(),
    maxBytes: z.number().int().positive().optional(),
    overflow: z.enum(['backpressure', 'drop_new']).default('backpressure'),
  })
  .refine((q) => q.maxMessages !== undefined || q.maxBytes !== undefined, {
    message: 'set maxMessages, maxBytes or both',
  });

export type ActionQueueSettings = z.output<typeof actionQueueSchema>;

/**
 * Splits a connector's config into the driver's part and its `queue` settings (validated). The key
 * is Sluice's, not the driver's, so it is taken out before the connector sees the config.
 *
 * @example splitQueueSettings({ url: 'http://x', queue: { maxMessages: 1000 } }).queue?.overflow; // 'backpressure'
 */
export function splitQueueSettings(config: Record<string, unknown>): {
  config: Record<string, unknown>;
  queue?: ActionQueueSettings;
} {
  const { queue, ...rest } = config;
  if (queue === undefined) return { config };
  const parsed = actionQueueSchema.safeParse(queue);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConnectorConfigInvalidError(['queue', ...issue.path.map(String)].join('.'), issue.message);
  }
  return { config: rest, queue: parsed.data };
}
