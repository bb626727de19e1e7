import { UseGuards } from '@nestjs/common';
import { Args, Query, Resolver } from '@nestjs/graphql';
import { ApiKeyAuthGuard, OperatorOnly } from '../auth/api-key-auth.guard';
import { CurrentTenant, tenantIdArg, type TenantId } from '../auth/current-tenant.decorator';
import { UsageModel } from './usage.model';
import { UsageService } from './usage.service';

@Resolver(() => UsageModel)
@UseGuards(ApiKeyAuthGuard)
export class UsageResolver {
  constructor(private readonly service: UsageService) {}

  @Query(() => UsageModel, {
    description: 'A month of usage and its charge; the current month when omitted.',
  })
  usage(
    @CurrentTenant() tenant: TenantId,
    @Args('month', { type: () => String, nullable: true, description: 'YYYY-MM (UTC).' }) month?: string,
    @Args('tenantId', tenantIdArg) _tenantId?: string,
  ): Promise<UsageModel> {
    return this.service.get(tenant, month);
  }

  @Query(() => [UsageModel], {
    description: "Every tenant's usage in a month, largest first (operator only).",
  })
  @OperatorOnly()
  usageByTenant(
    @Args('month', { type: () => String, nullable: true, description: 'YYYY-MM (UTC).' }) month?: string,
  ): Promise<UsageModel[]> {
    return this.service.listMonth(month);
  }
}
