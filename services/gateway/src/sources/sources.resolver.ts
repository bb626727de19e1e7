import { UseGuards, UsePipes } from '@nestjs/common';
import { Args, ID, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { ApiKeyAuthGuard } from '../auth/api-key-auth.guard';
import {
  CurrentPrincipal,
  CurrentTenant,
  tenantIdArg,
  type TenantId,
} from '../auth/current-tenant.decorator';
import type { Principal } from '../auth/principal';
import { InputValidationPipe } from '../graphql/input-validation.pipe';
import { ComponentStatusModel } from '../status/component-status.model';
import { StatusBoard } from '../status/status-board.service';
import { PageArgs, type PageOf } from '../graphql/page.model';
import { CreateSourceInput, SourceFilterInput, UpdateSourceInput } from './source.input';
import { SourceModel, SourcePage } from './source.model';
import { SourcesService } from './sources.service';

@Resolver(() => SourceModel)
@UseGuards(ApiKeyAuthGuard)
@UsePipes(InputValidationPipe)
export class SourcesResolver {
  constructor(
    private readonly service: SourcesService,
    private readonly statusBoard: StatusBoard,
  ) {}

  @Query(() => SourcePage)
  sources(
    @CurrentTenant() tenant: TenantId,
    @Args() page: PageArgs,
    @Args('filter', { nullable: true }) filter?: SourceFilterInput,
    @Args('tenantId', tenantIdArg) _tenantId?: string,
  ): Promise<PageOf<SourceModel>> {
    return this.service.list(tenant, page, filter);
  }

  @Query(() => SourceModel)
  source(
    @CurrentTenant() tenant: TenantId,
    @Args('id', { type: () => ID }) id: string,
    @Args('tenantId', tenantIdArg) _tenantId?: string,
  ): Promise<SourceModel> {
    return this.service.get(tenant, id);
  }

  @Mutation(() => SourceModel)
  createSource(
    @CurrentTenant() tenant: TenantId,
    @Args('input') input: CreateSourceInput,
    @CurrentPrincipal() principal: Principal,
    @Args('tenantId', tenantIdArg) _tenantId?: string,
  ): Promise<SourceModel> {
    return this.service.create(tenant, input, principal.kind);
  }

  @Mutation(() => SourceModel)
  updateSource(
    @CurrentTenant() tenant: TenantId,
    @Args('input') input: UpdateSourceInput,
    @CurrentPrincipal() principal: Principal,
    @Args('tenantId', tenantIdArg) _tenantId?: string,
  ): Promise<SourceModel> {
    return this.service.update(tenant, input, principal.kind);
  }

  @Mutation(() => SourceModel)
  enableSource(
    @CurrentTenant() tenant: TenantId,
    @Args('id', { type: () => ID }) id: string,
    @Args('version', { type: () => Int }) version: number,
    @Args('tenantId', tenantIdArg) _tenantId?: string,
  ): Promise<SourceModel> {
    return this.service.setEnabled(tenant, id, version, true);
  }

  @Mutation(() => SourceModel)
  disableSource(
    @CurrentTenant() tenant: TenantId,
    @Args('id', { type: () => ID }) id: string,
    @Args('version', { type: () => Int }) version: number,
    @Args('tenantId', tenantIdArg) _tenantId?: string,
  ): Promise<SourceModel> {
    return this.service.setEnabled(tenant, id, version, false);
  }

  @Mutation(() => ID)
  deleteSource(
    @CurrentTenant() tenant: TenantId,
    @Args('id', { type: () => ID }) id: string,
    @Args('tenantId', tenantIdArg) _tenantId?: string,
  ): Promise<string> {
    return this.service.delete(tenant, id);
  }

  @ResolveField(() => [ComponentStatusModel], {
    description: "Each replica's connection state, as last announced (live, not stored).",
  })
  status(@Parent() source: SourceModel): ComponentStatusModel[] {
    return this.statusBoard.get(source.tenantId, 'source', source.id);
  }
}
