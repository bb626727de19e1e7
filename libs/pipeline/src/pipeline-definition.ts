import { readFileSync } from 'node:fs';
import { SluiceError } from '@sluice/errors';
import { z } from 'zod';
import { mountpointSchema } from '@sluice/sources';
import { actionQueueSchema } from './action-queue/queue-settings';

const idSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'expected 1-64 letters, digits, "_" or "-"');

const topicSubscriptionSchema = z.object({
  filter: z.string().min(1),
  qos: z.union([z.literal(0), z.literal(1), z.literal(2)]).default(1),
});

/**
 * A subscription feeding the INGEST stream. Options beyond these go to the source of that kind as
 * they are (validated there, see docs/sources.md).
 */
export const sourceDefinitionSchema = z.looseObject({
  id: idSchema,
  kind: z.enum(['mqtt', 'kafka', 'nats'], { error: 'expected mqtt, kafka or nats' }).default('mqtt'),
  /**
   * MQTT: the broker URL, default SLUICE_MQTT_URL (or the embedded broker). Kafka: brokers
   * `host:port[,host:port]` (or a `brokers` option). NATS: the server (required, or a `servers` option; never the mesh's own NATS by default).
   */
  url: z.string().optional(),
  /** What to read, in the kind's terms: MQTT topic filters, Kafka topic names, NATS subjects (`qos` is MQTT's). */
  topics: z.array(topicSubscriptionSchema).min(1),
  /**
   * Who chose the broker: ingest connects a tenant's source only where the operator's target
   * policy allows (docs/security.md); the operator's own (a pipeline file, the operator key)
   * anywhere. Left out: a tenant's, the safe side.
   */
  configuredBy: z.enum(['operator', 'tenant']).optional(),
});

export const connectorDefinitionSchema = z
  .object({
    id: idSchema,
    kind: z.string().min(1),
    config: z.record(z.string(), z.unknown()).default({}),
    /**
     * Who chose the targets: a tenant's connector may reach only what the operator's target policy
     * allows (docs/security.md); the operator's own (a pipeline file, the operator key) anything.
     */
    configuredBy: z.enum(['operator', 'tenant']).default('tenant'),
  })
  .superRefine((connector, ctx) => {
    // why here: `queue` is Sluice's key (its action queue bound), not the driver's; see queue-settings.ts
    if (connector.config['queue'] === undefined) return;
    const parsed = actionQueueSchema.safeParse(connector.config['queue']);
    for (const issue of parsed.error?.issues ?? [])
      ctx.addIssue({ code: 'custom', path: ['config', 'queue', ...issue.path], message: issue.message });
  });

export const actionDefinitionSchema = z.object({
  id: idSchema,
  connector: idSchema,
  config: z.record(z.string(), z.unknown()).default({}),
});

export const ruleDefinitionSchema = z.object({
  id: idSchema,
  sql: z.string().min(1),
  enabled: z.boolean().default(true),
  actions: z.array(actionDefinitionSchema).default([]),
});

export const tenantDefinitionSchema = z.object({
  id: idSchema,
  /**
   * The tenant's namespace on the operator's broker: prepended to the topics of its sources
   * without `url` (subscribe, and publish of the API and republish actions), stripped from what
   * they receive, so its rules see the tenant's own view (EMQX's mountpoint).
   */
  mountpoint: mountpointSchema.optional(),
  sources: z.array(sourceDefinitionSchema).default([]),
  connectors: z.array(connectorDefinitionSchema).default([]),
  rules: z.array(ruleDefinitionSchema).default([]),
});

export const pipelineDefinitionSchema = z
  .object({ tenants: z.array(tenantDefinitionSchema).default([]) })
  .superRefine((pipeline, ctx) => {
    pipeline.tenants.forEach((tenant, t) => {
      const connectorIds = new Set(tenant.connectors.map((c) => c.id));
      tenant.rules.forEach((rule, r) =>
        rule.actions.forEach((action, a) => {
          if (!connectorIds.has(action.connector)) {
            ctx.addIssue({
              code: 'custom',
              path: ['tenants', t, 'rules', r, 'actions', a, 'connector'],
              message: `unknown connector '${action.connector}' (tenant '${tenant.id}' has: ${[...connectorIds].join(', ') || 'none'})`,
            });
          }
        }),
      );
    });
  });

export type PipelineDefinition = z.infer<typeof pipelineDefinitionSchema>;
export type TenantDefinition = z.infer<typeof tenantDefinitionSchema>;
export type SourceDefinition = z.infer<typeof sourceDefinitionSchema>;
export type ConnectorDefinition = z.infer<typeof connectorDefinitionSchema>;
export type RuleDefinition = z.infer<typeof ruleDefinitionSchema>;
export type ActionDefinition = z.infer<typeof actionDefinitionSchema>;

export class PipelineDefinitionError extends SluiceError {
  readonly code = 'PIPELINE_DEFINITION_INVALID';
  readonly category = 'BAD_INPUT';
}

/**
 * Validates a pipeline definition (tenants with their sources, connectors and rules).
 *
 * @example parsePipelineDefinition({ tenants: [{ id: 'default', rules: [] }] });
 */
export function parsePipelineDefinition(input: unknown, origin = 'pipeline definition'): PipelineDefinition {
  const result = pipelineDefinitionSchema.safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new PipelineDefinitionError(`Invalid ${origin}: ${problems.join('; ')}`);
  }
  return result.data;
}

/** Reads and validates a JSON pipeline file (SLUICE_PIPELINE_FILE). */
export function loadPipelineFile(path: string): PipelineDefinition {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new PipelineDefinitionError(`Cannot read pipeline file ${path}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new PipelineDefinitionError(`Pipeline file ${path} is not JSON: ${(error as Error).message}`);
  }
  // why operator: the file is the operator's own; its connectors are not subject to the tenants' policy
  return parsePipelineDefinition(asOperators(parsed), `pipeline file ${path}`);
}

function asOperators(parsed: unknown): unknown {
  const tenants = (parsed as { tenants?: unknown } | null)?.tenants;
  if (!Array.isArray(tenants)) return parsed;
  for (const tenant of tenants as { connectors?: unknown; sources?: unknown }[]) {
    for (const list of [tenant?.connectors, tenant?.sources]) {
      if (!Array.isArray(list)) continue;
      for (const item of list as Record<string, unknown>[]) {
        if (item && typeof item === 'object') item['configuredBy'] = 'operator';
      }
    }
  }
  return parsed;
}
