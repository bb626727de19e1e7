import type { Action, Connector, Page, PageRequest, Rule, SecretBox, Source } from '@sluice/persistence';
import { sealedSecretContext } from '@sluice/persistence';
import { parsePipelineDefinition, type TenantDefinition } from '@sluice/pipeline';
import { mergeSecrets, type Secrets } from '../connectors/config-secrets';

/** A tenant's rows, as read in one transaction. */
export interface TenantRows {
  tenantId: string;
  sources: Source[];
  connectors: Connector[];
  rules: Rule[];
  actions: Action[];
}

/** The context a row's secrets are sealed with, so a sealed value copied to another row does not open. */
export const secretContext = sealedSecretContext;

/** Opens a row's sealed secrets (an empty object when it has none). */
export function openSecrets(box: SecretBox, what: 'connector' | 'source', row: Source | Connector): Secrets {
  return row.secretsSealed ? box.openJson<Secrets>(row.secretsSealed, secretContext(what, row.id)) : {};
}

/**
 * Renders what ingest, rules and delivery run for one tenant: only enabled items, secrets merged
 * into the configuration, actions in position order and only when their connector is enabled.
 */
export function renderTenantDefinition(
  rows: TenantRows,
  box: SecretBox,
  mountpoint: string | undefined,
): TenantDefinition {
  const connectors = rows.connectors.filter((c) => c.enabled);
  const enabledConnectors = new Set(connectors.map((c) => c.id));
  const actionsByRule = new Map<string, Action[]>();
  for (const action of [...rows.actions].sort((a, b) => a.position - b.position)) {
    if (!action.enabled || !enabledConnectors.has(action.connectorId)) continue;
    const list = actionsByRule.get(action.ruleId) ?? [];
    list.push(action);
    actionsByRule.set(action.ruleId, list);
  }
  const definition = {
    id: rows.tenantId,
    ...(mountpoint ? { mountpoint } : {}),
    sources: rows.sources
      .filter((s) => s.enabled)
      .map((s) => ({
        ...mergeSecrets(s.config, openSecrets(box, 'source', s)),
        id: s.id,
        kind: s.kind,
        configuredBy: s.configuredByOperator ? ('operator' as const) : ('tenant' as const),
      })),
    connectors: connectors.map((c) => ({
      id: c.id,
      kind: c.kind,
      config: mergeSecrets(c.config, openSecrets(box, 'connector', c)),
      configuredBy: c.configuredByOperator ? ('operator' as const) : ('tenant' as const),
    })),
    rules: rows.rules
      .filter((r) => r.enabled)
      .map((r) => ({
        id: r.id,
        sql: r.sql,
        enabled: true,
        actions: (actionsByRule.get(r.id) ?? []).map((a) => ({
          id: a.id,
          connector: a.connectorId,
          config: a.config,
        })),
      })),
  };
  // why parse: the services parse it the same way; a definition they would refuse is never saved
  const [tenant] = parsePipelineDefinition({ tenants: [definition] }, 'tenant definition').tenants;
  return tenant!;
}

/** Reads every page of a paginated list. */
export async function allPages<T>(list: (page: PageRequest) => Promise<Page<T>>): Promise<T[]> {
  const items: T[] = [];
  let after: string | null = null;
  for (;;) {
    const page: Page<T> = await list({ first: 500, after });
    items.push(...page.items);
    if (!page.hasNextPage) return items;
    after = page.endCursor;
  }
}
