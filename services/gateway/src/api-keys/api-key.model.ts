import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import type { ApiKey } from '@sluice/persistence';
import { Paginated } from '../graphql/page.model';

@ObjectType('ApiKey', { description: 'An API key; only its prefix is ever shown after creation.' })
export class ApiKeyModel {
  @Field(() => ID) id!: string;
  @Field(() => ID, { nullable: true, description: 'Null for an operator key.' }) tenantId!: string | null;
  @Field() name!: string;
  @Field({ description: 'The public start of the key (slk_<16 hex>), to tell keys apart.' }) prefix!: string;
  @Field(() => [String], { description: 'Topic filters this key may publish to over HTTP.' })
  publishTopics!: string[];
  @Field(() => Int, { nullable: true, description: "Publish requests per second; null: the plan's." })
  rateLimit!: number | null;
  @Field() createdAt!: Date;
  @Field(() => Date, { nullable: true }) lastUsedAt!: Date | null;
  @Field(() => Date, { nullable: true }) revokedAt!: Date | null;

  static from(row: ApiKey): ApiKeyModel {
    const { id, tenantId, name, prefix, publishTopics, rateLimit, createdAt, lastUsedAt, revokedAt } = row;
    return { id, tenantId, name, prefix, publishTopics, rateLimit, createdAt, lastUsedAt, revokedAt };
  }
}

@ObjectType('CreatedApiKey')
export class CreatedApiKeyModel {
  @Field(() => ApiKeyModel) apiKey!: ApiKeyModel;
  @Field({ description: 'The whole key. Shown this once: only its hash is stored.' }) key!: string;
}

export const ApiKeyPage = Paginated(ApiKeyModel, 'ApiKeyPage');
