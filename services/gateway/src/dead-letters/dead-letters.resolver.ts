import { UseGuards } from '@nestjs/common';
import { Args, Float, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { ApiKeyAuthGuard } from '../auth/api-key-auth.guard';
import { CurrentTenant, tenantIdArg, type TenantId } from '../auth/current-tenant.decorator';
import { InputInvalidError } from '../errors/api-errors';
import { DeadLetterDetailModel, DeadLetterModel, DeadLetterRedriveModel } from './dead-letter.model';
import { DeadLettersService } from './dead-letters.service';

const MAX_LIST = 1_000;
const connectorArg = { type: () => ID, nullable: true, description: "One connector's; all when omitted." };

@Resolver(() => DeadLetterModel)
@UseGuards(ApiKeyAuthGuard)
export class DeadLettersResolver {
  constructor(private readonly service: DeadLettersService) {}

  @Query(() => [DeadLetterModel], { description: "The tenant's dead letters, oldest first." })
  deadLetters(
    @CurrentTenant() tenant: TenantId,
    @Args('connectorId', connectorArg) connectorId?: string,
    @Args('first', { type: () => Int, nullable: true, description: `At most ${MAX_LIST}; 100 when omitted.` })
    first?: number,
    @Args('tenantId', tenantIdArg) _tenantId?: string,
  ): Promise<DeadLetterModel[]> {
    const limit = first ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST)
      throw new InputInvalidError('first', `expected 1 to ${MAX_LIST}`);
    return this.service.list(tenant, connectorId ?? undefined, limit);
  }

  @Query(() => DeadLetterDetailModel, { description: 'One dead letter with the rule output it carried.' })
  deadLetter(
    @CurrentTenant() tenant: TenantId,
    @Args('seq', { type: () => Float }) seq: number,
    @Args('tenantId', tenantIdArg) _tenantId?: string,
  ): Promise<DeadLetterDetailModel> {
    return this.service.get(tenant, checkSeq(seq));
  }

  @Mutation(() => DeadLetterRedriveModel, {
    description: 'Sends the request to its connector again (same request id) and removes the dead letter.',
  })
  redriveDeadLetter(
    @CurrentTenant() tenant: TenantId,
    @Args('seq', { type: () => Float }) seq: number,
    @Args('tenantId', tenantIdArg) _tenantId?: string,
  ): Promise<DeadLetterRedriveModel> {
    return this.service.redrive(tenant, checkSeq(seq));
  }

  @Mutation(() => Int, {
    description: 'Re-drives every re-drivable dead letter (of one connector when given); answers how many.',
  })
  redriveDeadLetters(
    @CurrentTenant() tenant: TenantId,
    @Args('connectorId', connectorArg) connectorId?: string,
    @Args('tenantId', tenantIdArg) _tenantId?: string,
  ): Promise<number> {
    return this.service.redriveAll(tenant, connectorId ?? undefined);
  }
}

function checkSeq(seq: number): number {
  if (!Number.isSafeInteger(seq) || seq < 1)
    throw new InputInvalidError('seq', 'expected a positive integer');
  return seq;
}
