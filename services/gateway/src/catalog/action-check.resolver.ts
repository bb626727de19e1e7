import { UseGuards } from '@nestjs/common';
import { Args, ID, Query, Resolver } from '@nestjs/graphql';
import { SecretBox } from '@sluice/persistence';
import { GraphQLJSONObject } from 'graphql-scalars';
import { ApiKeyAuthGuard } from '../auth/api-key-auth.guard';
import { CurrentTenant, tenantIdArg, type TenantId } from '../auth/current-tenant.decorator';
import { InputInvalidError } from '../errors/api-errors';
import { TenantChanges } from '../propagation/tenant-changes.service';
import { checkAction } from '../rules/rule-validation';
import { ActionCheckModel } from './catalog.model';

/** Validates an action's templates and options as createAction would, saving nothing (forms, as you type). */
@Resolver()
@UseGuards(ApiKeyAuthGuard)
export class ActionCheckResolver {
  constructor(
    private readonly changes: TenantChanges,
    private readonly box: SecretBox,
  ) {}

  @Query(() => ActionCheckModel, {
    description:
      "Checks an action's configuration against its connector's kind (templates, options) without saving it.",
  })
  async checkAction(
    @CurrentTenant() tenant: TenantId,
    @Args('connectorId', { type: () => ID }) connectorId: string,
    @Args('config', { type: () => GraphQLJSONObject }) config: Record<string, unknown>,
    @Args('tenantId', tenantIdArg) _tenantId?: string,
  ): Promise<ActionCheckModel> {
    try {
      await this.changes.inTransaction((repos) =>
        checkAction(repos, this.box, tenant, { connectorId, config }, '', this.changes.operatorBroker),
      );
      return { valid: true, field: null, message: null };
    } catch (error) {
      if (error instanceof InputInvalidError)
        return { valid: false, field: error.field, message: error.message };
      throw error;
    }
  }
}
