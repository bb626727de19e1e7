import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Paginated } from '../graphql/page.model';

@ObjectType('Connector', {
  description: 'A target system (HTTP, PostgreSQL, Kafka, ...) that actions deliver to.',
})
export class ConnectorModel {
  @Field(() => ID) id!: string;
  /** Not in the schema: lets field resolvers find live state without another argument. */
  tenantId!: string;
  @Field() name!: string;
  @Field({ description: 'One of connectorKinds.' }) kind!: string;
  @Field() enabled!: boolean;
  @Field(() => Int, { description: 'Send it back with an update; a stale one is a CONFLICT.' })
  version!: number;
  @Field(() => GraphQLJSONObject, { description: 'The configuration without its secrets.' })
  config!: Record<string, unknown>;
  @Field(() => [String], {
    description: 'Which secrets are set (password, url.password, ...), never their values.',
  })
  secretsSet!: string[];
  @Field() createdAt!: Date;
  @Field() updatedAt!: Date;
}

@ObjectType('ConnectorStatus', { description: 'What trying the connection found.' })
export class ConnectorStatusModel {
  @Field({ description: 'connected, connecting or disconnected.' }) state!: string;
  @Field(() => String, { nullable: true, description: 'Why it is not connected.' }) reason!: string | null;
}

export const ConnectorPage = Paginated(ConnectorModel, 'ConnectorPage');
