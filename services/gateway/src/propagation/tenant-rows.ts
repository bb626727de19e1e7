import type { Repositories } from '@sluice/persistence';
import { allPages, type TenantRows } from './tenant-definition';

/** Every row of one tenant's pipeline, read through `repos` (a transaction's or the DataSource's). */
export async function readTenantRows(repos: Repositories, tenantId: string): Promise<TenantRows> {
  const sources = await allPages((page) => repos.sources.list(tenantId, page));
  const connectors = await allPages((page) => repos.connectors.list(tenantId, page));
  const rules = await allPages((page) => repos.rules.list(tenantId, page));
  const actions = await repos.actions.listForRules(
    tenantId,
    rules.map((r) => r.id),
  );
  return { tenantId, sources, connectors, rules, actions };
}
