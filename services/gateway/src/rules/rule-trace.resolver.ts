import { UseGuards } from '@nestjs/common';
import { Args, ID, Resolver, Subscription } from '@nestjs/graphql';
import { ApiKeyAuthGuard } from '../auth/api-key-auth.guard';
import { CurrentTenant, tenantIdArg, type TenantId } from '../auth/current-tenant.decorator';
import { RuleTraceHub } from './rule-trace-hub.service';
import { RuleTraceEventModel } from './rule-trace.model';
import { RulesService } from './rules.service';

@Resolver()
@UseGuards(ApiKeyAuthGuard)
export class RuleTraceResolver {
  constructor(
    private readonly rules: RulesService,
    private readonly hub: RuleTraceHub,
  ) {}

  @Subscription(() => RuleTraceEventModel, {
    description:
      "Each evaluation of the rule while you listen: the message's topic, whether it matched, the " +
      'outputs or the error (live, over graphql-ws; never stored).',
    resolve: (event: RuleTraceEventModel) => event,
  })
  async ruleTrace(
    @CurrentTenant() tenant: TenantId,
    @Args('ruleId', { type: () => ID }) ruleId: string,
    @Args('tenantId', tenantIdArg) _tenantId?: string,
  ): Promise<AsyncIterableIterator<RuleTraceEventModel>> {
    // why: another tenant's rule is NOT_FOUND here, exactly like a missing one
    await this.rules.get(tenant, ruleId);
    return this.hub.subscribe(tenant, ruleId);
  }
}
