import { Inject, Injectable } from '@nestjs/common';
import { SecretBox } from '@sluice/persistence';
import { QuotaExceededError } from '../errors/api-errors';
import { PLANS, planOf, type Plans } from '../plans/plans';
import { TenantChanges } from '../propagation/tenant-changes.service';
import { ActionModel } from './action.model';
import type { CreateActionInput, UpdateActionInput } from './rule.input';
import { checkAction } from './rule-validation';

@Injectable()
export class ActionsService {
  constructor(
    private readonly changes: TenantChanges,
    private readonly box: SecretBox,
    @Inject(PLANS) private readonly plans: Plans,
  ) {}

  create(tenantId: string, input: CreateActionInput): Promise<ActionModel> {
    return this.changes.apply(tenantId, async (repos, tenant) => {
      await repos.rules.require(tenantId, input.ruleId);
      const plan = planOf(this.plans, tenant.plan);
      const count = await repos.actions.countForRule(tenantId, input.ruleId);
      if (count >= plan.maxActionsPerRule) {
        throw new QuotaExceededError('actionsPerRule', plan.maxActionsPerRule, tenant.plan);
      }
      await checkAction(repos, this.box, tenantId, input, 'input', this.changes.operatorBroker);
      const row = await repos.actions.create(tenantId, {
        ruleId: input.ruleId,
        connectorId: input.connectorId,
        config: input.config,
        enabled: input.enabled ?? true,
        position: input.position ?? count,
      });
      return ActionModel.from(row);
    });
  }

  update(tenantId: string, input: UpdateActionInput): Promise<ActionModel> {
    return this.changes.apply(tenantId, async (repos) => {
      const current = await repos.actions.require(tenantId, input.id);
      const next = {
        connectorId: input.connectorId ?? current.connectorId,
        config: input.config ?? current.config,
      };
      await checkAction(repos, this.box, tenantId, next, 'input', this.changes.operatorBroker);
      const row = await repos.actions.update(tenantId, input.id, input.version, {
        ...next,
        ...(input.enabled !== undefined && { enabled: input.enabled }),
        ...(input.position !== undefined && { position: input.position }),
      });
      return ActionModel.from(row);
    });
  }

  async delete(tenantId: string, id: string): Promise<string> {
    await this.changes.apply(tenantId, (repos) => repos.actions.delete(tenantId, id));
    return id;
  }
}
