import type { EntityManager } from 'typeorm';
import { Rule } from '../entities/rule.entity';
import type { Page, PageRequest } from './pagination';
import { TenantScopedRepository, type CreateInput } from './tenant-scoped.repository';

export interface RuleFilter {
  enabled?: boolean;
}

/** Rules of one tenant at a time. Deleting a rule deletes its actions. */
export class RulesRepository extends TenantScopedRepository<Rule> {
  constructor(manager: EntityManager) {
    super(manager, Rule, 'Rule');
  }

  create(tenantId: string, input: CreateInput<Rule>): Promise<Rule> {
    return this.insertRow(tenantId, input);
  }

  list(tenantId: string, page: PageRequest = {}, filter: RuleFilter = {}): Promise<Page<Rule>> {
    return this.listWhere(tenantId, page, { ...filter });
  }

  getByName(tenantId: string, name: string): Promise<Rule | null> {
    return this.scoped(tenantId).andWhere('row.name = :name', { name }).getOne();
  }
}
