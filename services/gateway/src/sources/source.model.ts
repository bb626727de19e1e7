import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Paginated } from '../graphql/page.model';

@ObjectType('Source', { description: 'Where messages come from: a broker subscription (mqtt).' })
export class SourceModel {
  @Field(() => ID) id!: string;
  /** Not in the schema: lets field resolvers find live state without another argument. */
  tenantId!: string;
  @Field() name!: string;
  @Field() kind!: string;
  @Field() enabled!: boolean;
  @Field(() => Int, { description: 'Send it back with an update; a stale one is a CONFLICT.' })
  version!: number;
  @Field(() => GraphQLJSONObject, {
    description: '{ url?, topics: [{ filter, qos }], ...options } without secrets.',
  })
  config!: Record<string, unknown>;
  @Field(() => [String], { description: 'Which secrets are set, never their values.' }) secretsSet!: string[];
  @Field() createdAt!: Date;
  @Field() updatedAt!: Date;
}

export const SourcePage = Paginated(SourceModel, 'SourcePage');
