import { UseGuards, UsePipes } from '@nestjs/common';
import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { ApiKeyAuthGuard, OperatorOnly } from '../auth/api-key-auth.guard';
import { CurrentTenant, tenantIdArg, type TenantId } from '../auth/current-tenant.decorator';
import { InputValidationPipe } from '../graphql/input-validation.pipe';
import { PageArgs, type PageOf } from '../graphql/page.model';
import { CreateTenantInput, UpdateTenantInput } from './tenant.input';
import { TenantModel, TenantPage } from './tenant.model';
import { TenantsService } from './tenants.service';

@Resolver(() => TenantModel)
@UseGuards(ApiKeyAuthGuard)
@UsePipes(InputValidationPipe)
export class TenantsResolver {
  constructor(private readonly service: TenantsService) {}

  @Query(() => TenantPage, { description: 'Every tenant (operator only).' })
  @OperatorOnly()
  tenants(@Args() page: PageArgs): Promise<PageOf<TenantModel>> {
    return this.service.list(page);
  }

  @Query(() => TenantModel, { description: "The caller's tenant (the operator names one)." })
  tenant(
    @CurrentTenant() tenant: TenantId,
    @Args('tenantId', tenantIdArg) _tenantId?: string,
  ): Promise<TenantModel> {
    return this.service.get(tenant);
  }

  @Mutation(() => TenantModel)
  @OperatorOnly()
  createTenant(@Args('input') input: CreateTenantInput): Promise<TenantModel> {
    return this.service.create(input);
  }

  @Mutation(() => TenantModel)
  @OperatorOnly()
  updateTenant(@Args('input') input: UpdateTenantInput): Promise<TenantModel> {
    return this.service.update(input);
  }

  @Mutation(() => ID, { description: 'Deletes the tenant and everything it owns; answers its id.' })
  @OperatorOnly()
  deleteTenant(@Args('id', { type: () => ID }) id: string): Promise<string> {
    return this.service.delete(id);
  }
}
