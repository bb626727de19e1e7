import { UseGuards, UsePipes } from '@nestjs/common';
import { Args, ID, Mutation, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { ApiKeyAuthGuard } from '../auth/api-key-auth.guard';
import { CurrentTenant, tenantIdArg, type TenantId } from '../auth/current-tenant.decorator';
import { InputValidationPipe } from '../graphql/input-validation.pipe';
import { MetricsBoard } from '../status/metrics-board.service';
import { ActionMetricsModel } from '../status/metrics.model';
import { ActionModel } from './action.model';
import { ActionsService } from './actions.service';
import { CreateActionInput, UpdateActionInput } from './rule.input';

@Resolver(() => ActionModel)
@UseGuards(ApiKeyAuthGuard)
@UsePipes(InputValidationPipe)
export class ActionsResolver {
  constructor(
    private readonly actions: ActionsService,
    private readonly metricsBoard: MetricsBoard,
  ) {}

  @Mutation(() => ActionModel)
  createAction(
    @CurrentTenant() tenant: TenantId,
    @Args('input') input: CreateActionInput,
    @Args('tenantId', tenantIdArg) _tenantId?: string,
  ): Promise<ActionModel> {
    return this.actions.create(tenant, input);
  }

  @Mutation(() => ActionModel, { description: 'Also enables or disables it, and moves it (position).' })
  updateAction(
    @CurrentTenant() tenant: TenantId,
    @Args('input') input: UpdateActionInput,
    @Args('tenantId', tenantIdArg) _tenantId?: string,
  ): Promise<ActionModel> {
    return this.actions.update(tenant, input);
  }

  @Mutation(() => ID)
  deleteAction(
    @CurrentTenant() tenant: TenantId,
    @Args('id', { type: () => ID }) id: string,
    @Args('tenantId', tenantIdArg) _tenantId?: string,
  ): Promise<string> {
    return this.actions.delete(tenant, id);
  }

  @ResolveField(() => ActionMetricsModel, { description: 'Live counters of the delivery replicas.' })
  metrics(@Parent() action: ActionModel): ActionMetricsModel {
    return ActionMetricsModel.from(this.metricsBoard.get(action.tenantId, 'action', action.id));
  }
}
