import type { DataSource, EntityManager } from 'typeorm';
import { ActionsRepository } from './actions.repository';
import { ApiKeysRepository } from './api-keys.repository';
import { ConnectorsRepository } from './connectors.repository';
import { RulesRepository } from './rules.repository';
import { SourcesRepository } from './sources.repository';
import { TenantsRepository } from './tenants.repository';
import { runTransaction } from './transaction';
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
  return runTransaction(dataSource, undefined, (manager) => work(createRepositories(manager), manager));
}
