import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import type { Action, Rule } from '@sluice/persistence';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Paginated } from '../graphql/page.model';
import { ActionModel } from './action.model';

@ObjectType('Rule', { description: 'An EMQX-style SQL rule and its actions.' })
export class RuleModel {
  @Field(() => ID) id!: string;
  /** Not in the schema: lets field resolvers find live state without another argument. */
  tenantId!: string;
  @Field() name!: string;
  @Field() description!: string;
  @Field() sql!: string;
  @Field() enabled!: boolean;
  @Field(() => Int, { description: 'Send it back with an update; a stale one is a CONFLICT.' })
  version!: number;
  @Field(() => [ActionModel], { description: 'In position order.' }) actions!: ActionModel[];
  @Field() createdAt!: Date;
  @Field() updatedAt!: Date;

  static from(row: Rule, actions: Action[]): RuleModel {
    const { id, tenantId, name, description, sql, enabled, version, createdAt, updatedAt } = row;
    const ordered = [...actions].sort((a, b) => a.position - b.position);
    return {
      id,
      tenantId,
      name,
      description,
      sql,
      enabled,
      version,
      createdAt,
      updatedAt,
      actions: ordered.map(ActionModel.from),
    };
  }
}

@ObjectType('RuleWarning', {
  description:
    'Why a rule that compiles may never fire or read NULL: RULE_FROM_UNSUBSCRIBED, RULE_EVENT_NOT_FED, RULE_COLUMN_NOT_PROVIDED (docs/rule-sql.md).',
})
export class RuleWarningModel {
  @Field() code!: string;
  @Field() message!: string;
}

@ObjectType('RuleTestError')
export class RuleTestErrorModel {
  @Field({ description: 'syntax, compile or runtime.' }) kind!: string;
  @Field() message!: string;
  @Field(() => Int, { nullable: true }) line!: number | null;
  @Field(() => Int, { nullable: true }) column!: number | null;
}

@ObjectType('RuleTestResult', {
  description: "As EMQX's rule test: the outputs when the message matched, or the error.",
})
export class RuleTestResultModel {
  @Field() matched!: boolean;
  @Field(() => [GraphQLJSONObject]) outputs!: Record<string, unknown>[];
  @Field(() => RuleTestErrorModel, { nullable: true }) error!: RuleTestErrorModel | null;
  @Field(() => [RuleWarningModel], {
    description:
      "Against the tenant's sources (a tenant key's, or the operator's tenantId); empty without a tenant.",
  })
  warnings!: RuleWarningModel[];
}

export const RulePage = Paginated(RuleModel, 'RulePage');
