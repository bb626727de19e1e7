import { UseGuards, UsePipes } from '@nestjs/common';
import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { ApiKeyAuthGuard } from '../auth/api-key-auth.guard';
import {
  CurrentPrincipal,
  CurrentTenant,
  tenantIdArg as tenantArg,
  type TenantId,
} from '../auth/current-tenant.decorator';
import type { Principal } from '../auth/principal';
import { InputValidationPipe } from '../graphql/input-validation.pipe';
import { PageArgs, type PageOf } from '../graphql/page.model';
import { CreateApiKeyInput } from './api-key.input';
import { ApiKeyModel, ApiKeyPage, CreatedApiKeyModel } from './api-key.model';
import { ApiKeysService } from './api-keys.service';

@Resolver(() => ApiKeyModel)
@UseGuards(ApiKeyAuthGuard)
@UsePipes(InputValidationPipe)
export class ApiKeysResolver {
  constructor(private readonly service: ApiKeysService) {}

  @Query(() => ApiKeyPage)
  apiKeys(
    @CurrentTenant() tenant: TenantId,
    @Args() page: PageArgs,
    @Args('tenantId', tenantArg) _tenantId?: string,
  ): Promise<PageOf<ApiKeyModel>> {
    return this.service.list(tenant, page);
  }

  @Mutation(() => CreatedApiKeyModel, { description: 'The whole key is in the answer, and only there.' })
  createApiKey(
    @CurrentPrincipal() principal: Principal,
    @CurrentTenant() tenant: TenantId,
    @Args('input') input: CreateApiKeyInput,
    @Args('tenantId', tenantArg) _tenantId?: string,
  ): Promise<CreatedApiKeyModel> {
    return this.service.create(principal, tenant, input);
  }

  @Mutation(() => ApiKeyModel)
  revokeApiKey(
    @CurrentPrincipal() principal: Principal,
    @CurrentTenant() tenant: TenantId,
    @Args('id', { type: () => ID }) id: string,
    @Args('tenantId', tenantArg) _tenantId?: string,
  ): Promise<ApiKeyModel> {
    return this.service.revoke(principal, tenant, id);
  }
}
