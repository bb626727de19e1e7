import type { EntityManager } from 'typeorm';
import { Action } from '../entities/action.entity';
import { TenantScopedRepository, type CreateInput } from './tenant-scoped.repository';

/**
 * Actions of one tenant at a time. The database refuses an action whose rule or connector belongs
 * to another tenant (PERSISTENCE_REFERENCE_NOT_FOUND).
 */
export class ActionsRepository extends TenantScopedRepository<Action> {
  constructor(manager: EntityManager) {
    super(manager, Action, 'Action');
  }

  create(tenantId: string, input: CreateInput<Action>): Promise<Action> {
    return this.insertRow(tenantId, input);
  }

  /** A rule's actions in order (position, then creation). */
  listForRule(tenantId: string, ruleId: string): Promise<Action[]> {
    return this.scoped(tenantId)
      .andWhere('row.ruleId = :ruleId', { ruleId })
      .orderBy('row.position', 'ASC')
      .addOrderBy('row.createdAt', 'ASC')
      .addOrderBy('row.id', 'ASC')
      .getMany();
  }

  /** The actions of several rules in one query, for batched loading (no query per rule). */
  listForRules(tenantId: string, ruleIds: readonly string[]): Promise<Action[]> {
    if (ruleIds.length === 0) return Promise.resolve([]);
    return this.scoped(tenantId)
      .andWhere('row.ruleId IN (:...ruleIds)', { ruleIds })
      .orderBy('row.ruleId', 'ASC')
      .addOrderBy('row.position', 'ASC')
      .addOrderBy('row.id', 'ASC')
      .getMany();
  }

  countForRule(tenantId: string, ruleId: string): Promise<number> {
    return this.scoped(tenantId).andWhere('row.ruleId = :ruleId', { ruleId }).getCount();
  }
}
