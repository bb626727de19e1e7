import { Field, ID, InputType, Int } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import { IsBoolean, IsObject, IsOptional, IsString, Length, Max, Min, ValidateNested } from 'class-validator';
import { GraphQLJSONObject } from 'graphql-scalars';

@InputType()
export class RuleActionInput {
  @Field(() => ID) @Length(1, 64) connectorId!: string;
  @Field(() => GraphQLJSONObject, { description: "Templates and options of the connector's kind." })
  @IsObject()
  config!: Record<string, unknown>;
  @Field({ nullable: true, defaultValue: true }) @IsOptional() @IsBoolean() enabled?: boolean;
}

@InputType()
export class CreateRuleInput {
  @Field() @Length(1, 128) name!: string;
  @Field({ description: 'EMQX rule SQL; compiled on save (RULE_SYNTAX with line and column).' })
  @Length(1, 65_536)
  sql!: string;
  @Field({ nullable: true, defaultValue: '' }) @IsOptional() @Length(0, 4096) description?: string;
  @Field({ nullable: true, defaultValue: true }) @IsOptional() @IsBoolean() enabled?: boolean;
  @Field(() => [RuleActionInput], { nullable: true, description: 'Created with the rule, in this order.' })
  @IsOptional()
  @ValidateNested({ each: true })
  @Type(() => RuleActionInput)
  actions?: RuleActionInput[];
}

@InputType()
export class UpdateRuleInput {
  @Field(() => ID) @Length(1, 64) id!: string;
  @Field(() => Int, { description: 'The version you read.' }) @Min(1) version!: number;
  @Field({ nullable: true }) @IsOptional() @Length(1, 128) name?: string;
  @Field({ nullable: true }) @IsOptional() @Length(1, 65_536) sql?: string;
  @Field({ nullable: true }) @IsOptional() @Length(0, 4096) description?: string;
  @Field({ nullable: true }) @IsOptional() @IsBoolean() enabled?: boolean;
}

@InputType()
export class RuleFilterInput {
  @Field({ nullable: true }) @IsOptional() @IsBoolean() enabled?: boolean;
}

@InputType()
export class CreateActionInput extends RuleActionInput {
  @Field(() => ID) @Length(1, 64) ruleId!: string;
  @Field(() => Int, { nullable: true, description: 'Appended when omitted.' })
  @IsOptional()
  @Min(0)
  @Max(10_000)
  position?: number;
}

@InputType()
export class UpdateActionInput {
  @Field(() => ID) @Length(1, 64) id!: string;
  @Field(() => Int, { description: 'The version you read.' }) @Min(1) version!: number;
  @Field(() => ID, { nullable: true }) @IsOptional() @IsString() connectorId?: string;
  @Field(() => GraphQLJSONObject, { nullable: true }) @IsOptional() @IsObject() config?: Record<
    string,
    unknown
  >;
  @Field({ nullable: true }) @IsOptional() @IsBoolean() enabled?: boolean;
  @Field(() => Int, { nullable: true }) @IsOptional() @Min(0) @Max(10_000) position?: number;
}
