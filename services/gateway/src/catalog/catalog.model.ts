import { Field, Int, ObjectType } from '@nestjs/graphql';
import { GraphQLJSONObject } from 'graphql-scalars';

@ObjectType('ConnectorKindSchema', {
  description:
    "A connector kind's configuration schemas, derived from the schemas the connector validates with.",
})
export class ConnectorKindSchemaModel {
  @Field() kind!: string;
  @Field(() => GraphQLJSONObject, { description: 'JSON Schema of the connector configuration.' })
  config!: Record<string, unknown>;
  @Field(() => GraphQLJSONObject, {
    description: "JSON Schema of an action's configuration (templates, options).",
  })
  action!: Record<string, unknown>;
  @Field(() => [String], {
    description: 'Configuration paths that are secrets: write-only, listed in secretsSet, never read back.',
  })
  secrets!: string[];
}

@ObjectType('RuleFunction', { description: 'A built-in function of the rule SQL.' })
export class RuleFunctionModel {
  @Field() name!: string;
  @Field(() => Int) minArgs!: number;
  @Field(() => Int, { nullable: true, description: 'Null: any number.' }) maxArgs!: number | null;
  @Field({ description: 'e.g. substr(arg1, arg2[, arg3]).' }) signature!: string;
}

@ObjectType('ActionCheck', { description: "What the connector's kind says of an action's configuration." })
export class ActionCheckModel {
  @Field() valid!: boolean;
  @Field(() => String, { nullable: true, description: 'The refused field, e.g. config.topic.' })
  field!: string | null;
  @Field(() => String, { nullable: true, description: 'Why, e.g. a template syntax error.' })
  message!: string | null;
}
