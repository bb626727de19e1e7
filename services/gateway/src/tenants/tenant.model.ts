import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import type { Tenant } from '@sluice/persistence';
import { Paginated } from '../graphql/page.model';

@ObjectType('Tenant', {
  description: 'One isolated deployment: its own sources, connectors, rules, keys and usage.',
})
export class TenantModel {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field({ description: 'A plan name from the configuration (SLUICE_PLANS).' }) plan!: string;
  @Field(() => Int, { description: 'Send it back with an update; a stale one is a CONFLICT.' })
  version!: number;
  @Field() createdAt!: Date;
  @Field() updatedAt!: Date;

  static from(row: Tenant): TenantModel {
    const { id, name, plan, version, createdAt, updatedAt } = row;
    return { id, name, plan, version, createdAt, updatedAt };
  }
}

export const TenantPage = Paginated(TenantModel, 'TenantPage');
