import { Field, Float, ID, ObjectType } from '@nestjs/graphql';

@ObjectType('Usage', {
  description: 'Rule actions executed by a tenant in one calendar month (UTC), and their price.',
})
export class UsageModel {
  @Field(() => ID) tenantId!: string;
  @Field({ description: 'YYYY-MM.' }) month!: string;
  @Field() plan!: string;
  @Field(() => Float, { description: 'Rule actions executed.' }) ruleActions!: number;
  @Field(() => Float, { description: 'Rule actions the plan includes per month.' }) freeQuota!: number;
  @Field(() => Float, { description: 'Rule actions beyond the free quota.' }) billableActions!: number;
  @Field(() => Float, { description: 'USD per million billable actions.' }) pricePerMillion!: number;
  @Field(() => Float, { description: 'USD for the month so far: billableActions / 1e6 * pricePerMillion.' })
  charge!: number;
}
