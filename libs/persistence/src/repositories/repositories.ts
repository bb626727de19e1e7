import type { DataSource, EntityManager } from 'typeorm';
import { ActionsRepository } from './actions.repository';
import { ApiKeysRepository } from './api-keys.repository';
import { ConnectorsRepository } from './connectors.repository';
import { RulesRepository } from './rules.repository';
import { SourcesRepository } from './sources.repository';
import { TenantsRepository } from './tenants.repository';
import { UsageRepository } from './usage.repository';

/** Every repository, bound to one EntityManager (the DataSource's, or a transaction's). */
export interface Repositories {
  tenants: TenantsRepository;
  apiKeys: ApiKeysRepository;
  sources: SourcesRepository;
  connectors: ConnectorsRepository;
  rules: RulesRepository;
  actions: ActionsRepository;
  usage: UsageRepository;
}

/** @example const repos = createRepositories(dataSource.manager); await repos.rules.list(tenantId); */
export function createRepositories(manager: EntityManager): Repositories {
  return {
    tenants: new TenantsRepository(manager),
    apiKeys: new ApiKeysRepository(manager),
    sources: new SourcesRepository(manager),
    connectors: new ConnectorsRepository(manager),
    rules: new RulesRepository(manager),
    actions: new ActionsRepository(manager),
    usage: new UsageRepository(manager),
  };
}

// why: TypeORM gives SQLite a single connection, so two transactions started at once would
// interleave their statements on it; they are queued here instead (PostgreSQL has a pool).
const sqliteQueues = new WeakMap<DataSource, Promise<unknown>>();

/**
 * Runs `work` in one transaction with repositories bound to it; it commits when `work` resolves
 * and rolls back when it throws. Quota checks go here, next to the change they guard:
 *
 * @example
 * await withTransaction(ds, async (repos) => {
 *   await repos.tenants.lockForUpdate(tenantId);
 *   if ((await repos.rules.count(tenantId)) >= plan.maxRules) throw new QuotaExceededError('rules');
 *   return repos.rules.create(tenantId, input);
 * });
 */
export function withTransaction<T>(
  dataSource: DataSource,
  work: (repos: Repositories, manager: EntityManager) => Promise<T>,
): Promise<T> {
  const run = () => dataSource.transaction((manager) => work(createRepositories(manager), manager));
  if (dataSource.options.type === 'postgres') return run();
  const previous = sqliteQueues.get(dataSource) ?? Promise.resolve();
  const next = previous.then(run, run);
  sqliteQueues.set(
    dataSource,
    next.catch(() => undefined),
  );
  return next;
}
