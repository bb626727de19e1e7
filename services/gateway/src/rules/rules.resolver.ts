import { UseGuards, UsePipes } from '@nestjs/common';
import { Args, ID, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import { ApiKeyAuthGuard } from '../auth/api-key-auth.guard';
import {
  CurrentPrincipal,
  CurrentTenant,
  resolveTenant,
  tenantIdArg,
  type TenantId,
} from '../auth/current-tenant.decorator';
import type { Principal } from '../auth/principal';
import { InputValidationPipe } from '../graphql/input-validation.pipe';
import { PageArgs, type PageOf } from '../graphql/page.model';
import { MetricsBoard } from '../status/metrics-board.service';
import { RuleMetricsModel } from '../status/metrics.model';
import { CreateRuleInput, RuleFilterInput, UpdateRuleInput } from './rule.input';
import { RuleModel, RulePage, RuleTestResultModel, RuleWarningModel } from './rule.model';
import { RulesService } from './rules.service';

@Resolver(() => RuleModel)
@UseGuards(ApiKeyAuthGuard)
@UsePipes(InputValidationPipe)
export class RulesResolver {
  constructor(
    private readonly service: RulesService,
    private readonly metricsBoard: MetricsBoard,
  ) {}

  @Query(() => RulePage)
  rules(
    @CurrentTenant() tenant: TenantId,
    @Args() page: PageArgs,
    @Args('filter', { nullable: true }) filter?: RuleFilterInput,
    @Args('tenantId', tenantIdArg) _tenantId?: string,
  ): Promise<PageOf<RuleModel>> {
    return this.service.list(tenant, page, filter);
  }

  @Query(() => RuleModel)
  rule(
    @CurrentTenant() tenant: TenantId,
    @Args('id', { type: () => ID }) id: string,
    @Args('tenantId', tenantIdArg) _tenantId?: string,
  ): Promise<RuleModel> {
    return this.service.get(tenant, id);
  }

  @Query(() => RuleTestResultModel, { description: "Evaluates SQL on one message as EMQX's rule test does." })
  testRule(
    @CurrentPrincipal() principal: Principal,
    @Args('sql') sql: string,
    @Args('context', { type: () => GraphQLJSONObject }) context: Record<string, unknown>,
    @Args('tenantId', tenantIdArg) tenantId?: string,
  ): Promise<RuleTestResultModel> {
    // why optional for the operator: the test itself needs no tenant, only its warnings do
    const tenant =
      principal.kind === 'operator' && !tenantId ? undefined : resolveTenant(principal, tenantId);
    return this.service.test(sql, context, tenant);
  }

  @Mutation(() => RuleModel)
  createRule(
    @CurrentTenant() tenant: TenantId,
    @Args('input') input: CreateRuleInput,
    @Args('tenantId', tenantIdArg) _tenantId?: string,
  ): Promise<RuleModel> {
    return this.service.create(tenant, input);
  }

  @Mutation(() => RuleModel)
  updateRule(
    @CurrentTenant() tenant: TenantId,
    @Args('input') input: UpdateRuleInput,
    @Args('tenantId', tenantIdArg) _tenantId?: string,
  ): Promise<RuleModel> {
    return this.service.update(tenant, input);
  }

  @Mutation(() => RuleModel)
  enableRule(
    @CurrentTenant() tenant: TenantId,
    @Args('id', { type: () => ID }) id: string,
    @Args('version', { type: () => Int }) version: number,
    @Args('tenantId', tenantIdArg) _tenantId?: string,
  ): Promise<RuleModel> {
    return this.service.setEnabled(tenant, id, version, true);
  }

  @Mutation(() => RuleModel)
  disableRule(
    @CurrentTenant() tenant: TenantId,
    @Args('id', { type: () => ID }) id: string,
    @Args('version', { type: () => Int }) version: number,
    @Args('tenantId', tenantIdArg) _tenantId?: string,
  ): Promise<RuleModel> {
    return this.service.setEnabled(tenant, id, version, false);
  }

  @Mutation(() => ID, { description: 'Deletes the rule and its actions.' })
  deleteRule(
    @CurrentTenant() tenant: TenantId,
    @Args('id', { type: () => ID }) id: string,
    @Args('tenantId', tenantIdArg) _tenantId?: string,
  ): Promise<string> {
    return this.service.delete(tenant, id);
  }

  @ResolveField(() => [RuleWarningModel], {
    description:
      "Against the tenant's enabled sources now: a FROM no source feeds, columns no source provides.",
  })
  warnings(@Parent() rule: RuleModel): Promise<RuleWarningModel[]> {
    return this.service.warnings(rule.tenantId, rule.sql);
  }

  @ResolveField(() => RuleMetricsModel, { description: 'Live counters of the rules replicas.' })
  metrics(@Parent() rule: RuleModel): RuleMetricsModel {
    return RuleMetricsModel.from(this.metricsBoard.get(rule.tenantId, 'rule', rule.id));
  }
}
