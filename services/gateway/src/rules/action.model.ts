import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import type { Action } from '@sluice/persistence';
import { GraphQLJSONObject } from 'graphql-scalars';

@ObjectType('Action', {
  description:
    "What a rule does with its output: a connector plus the templates and options of the connector's kind.",
})
export class ActionModel {
  @Field(() => ID) id!: string;
  /** Not in the schema: lets field resolvers find live state without another argument. */
  tenantId!: string;
  @Field(() => ID) ruleId!: string;
  @Field(() => ID) connectorId!: string;
  @Field(() => GraphQLJSONObject, { description: 'Templates and options, e.g. { path, body } for http.' })
  config!: Record<string, unknown>;
  @Field() enabled!: boolean;
  @Field(() => Int, { description: "Order among the rule's actions, from 0." }) position!: number;
  @Field(() => Int) version!: number;
  @Field() createdAt!: Date;
  @Field() updatedAt!: Date;

  static from(row: Action): ActionModel {
    const { id, tenantId, ruleId, connectorId, config, enabled, position, version, createdAt, updatedAt } =
      row;
    return { id, tenantId, ruleId, connectorId, config, enabled, position, version, createdAt, updatedAt };
  }
}
