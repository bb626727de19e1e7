import { UseGuards, UsePipes } from '@nestjs/common';
import { Args, ID, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { connectorKinds } from '@sluice/connectors';
import { GraphQLJSONObject } from 'graphql-scalars';
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
import {
  ConnectorFilterInput,
  CreateConnectorInput,
  TestConnectorInput,
  UpdateConnectorInput,
} from './connector.input';
import { ConnectorModel, ConnectorPage, ConnectorStatusModel } from './connector.model';
import { ConnectorsService } from './connectors.service';

@Resolver(() => ConnectorModel)
@UseGuards(ApiKeyAuthGuard)
@UsePipes(InputValidationPipe)
export class ConnectorsResolver {
  constructor(
    private readonly service: ConnectorsService,
    private readonly statusBoard: StatusBoard,
  ) {}

  @Query(() => [String], { description: 'The connector kinds this installation knows.' })
  connectorKinds(): string[] {
    return connectorKinds();
  }

  @Query(() => ConnectorPage)
  connectors(
    @CurrentTenant() tenant: TenantId,
    @Args() page: PageArgs,
    @Args('filter', { nullable: true }) filter?: ConnectorFilterInput,
    @Args('tenantId', tenantIdArg) _tenantId?: string,
  ): Promise<PageOf<ConnectorModel>> {
    return this.service.list(tenant, page, filter);
  }

  @Query(() => ConnectorModel)
  connector(
    @CurrentTenant() tenant: TenantId,
    @Args('id', { type: () => ID }) id: string,
    @Args('tenantId', tenantIdArg) _tenantId?: string,
  ): Promise<ConnectorModel> {
    return this.service.get(tenant, id);
  }

  @Query(() => ConnectorStatusModel, {
    description: 'Tries a connection without saving anything: `input` typed, or `kind` with `config`.',
  })
  testConnector(
    @CurrentTenant() tenant: TenantId,
    @CurrentPrincipal() principal: Principal,
    @Args('kind', { nullable: true }) kind?: string,
    @Args('config', { type: () => GraphQLJSONObject, nullable: true }) config?: Record<string, unknown>,
    @Args('input', { type: () => TestConnectorInput, nullable: true }) input?: TestConnectorInput,
    @Args('tenantId', tenantIdArg) _tenantId?: string,
  ): Promise<ConnectorStatusModel> {
    return this.service.test({ ...input, kind, config }, principal, tenant);
  }

  @Mutation(() => ConnectorModel)
  createConnector(
    @CurrentTenant() tenant: TenantId,
    @CurrentPrincipal() principal: Principal,
    @Args('input') input: CreateConnectorInput,
    @Args('tenantId', tenantIdArg) _tenantId?: string,
  ): Promise<ConnectorModel> {
    return this.service.create(tenant, input, principal.kind);
  }

  @Mutation(() => ConnectorModel)
  updateConnector(
    @CurrentTenant() tenant: TenantId,
    @CurrentPrincipal() principal: Principal,
    @Args('input') input: UpdateConnectorInput,
    @Args('tenantId', tenantIdArg) _tenantId?: string,
  ): Promise<ConnectorModel> {
    return this.service.update(tenant, input, principal.kind);
  }

  @Mutation(() => ConnectorModel)
  enableConnector(
    @CurrentTenant() tenant: TenantId,
    @Args('id', { type: () => ID }) id: string,
    @Args('version', { type: () => Int }) version: number,
    @Args('tenantId', tenantIdArg) _tenantId?: string,
  ): Promise<ConnectorModel> {
    return this.service.setEnabled(tenant, id, version, true);
  }

  @Mutation(() => ConnectorModel)
  disableConnector(
    @CurrentTenant() tenant: TenantId,
    @Args('id', { type: () => ID }) id: string,
    @Args('version', { type: () => Int }) version: number,
    @Args('tenantId', tenantIdArg) _tenantId?: string,
  ): Promise<ConnectorModel> {
    return this.service.setEnabled(tenant, id, version, false);
  }

  @Mutation(() => ID, { description: 'Refused (CONFLICT) while actions use the connector.' })
  deleteConnector(
    @CurrentTenant() tenant: TenantId,
    @Args('id', { type: () => ID }) id: string,
    @Args('tenantId', tenantIdArg) _tenantId?: string,
  ): Promise<string> {
    return this.service.delete(tenant, id);
  }

  @ResolveField(() => [ComponentStatusModel], {
    description: "Each replica's connection state, as last announced (live, not stored).",
  })
  status(@Parent() connector: ConnectorModel): ComponentStatusModel[] {
    return this.statusBoard.get(connector.tenantId, 'connector', connector.id);
  }
}
