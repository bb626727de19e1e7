import { Field, ID, InputType, Int } from '@nestjs/graphql';
import { IsBoolean, IsObject, IsOptional, IsString, Length, Min } from 'class-validator';
import { GraphQLJSONObject } from 'graphql-scalars';
import { ActionQueueInput, TypedConnectorConfigs } from './connector-config.input';

@InputType({
  description:
    'Give the configuration typed, in the field named after the kind (`http: { url }`), or as `kind` ' +
    'plus the `config` JSON.',
})
export class CreateConnectorInput extends TypedConnectorConfigs {
  @Field() @Length(1, 128) name!: string;
  @Field({
    nullable: true,
    description: 'One of connectorKinds; implied by a typed configuration, needed with config.',
  })
  @IsOptional()
  @Length(1, 32)
  kind?: string;
  @Field(() => GraphQLJSONObject, {
    nullable: true,
    description: "The kind's configuration as JSON, secrets included (the untyped alternative).",
  })
  @IsOptional()
  @IsObject()
  config?: Record<string, unknown>;
  @Field({ nullable: true, defaultValue: true }) @IsOptional() @IsBoolean() enabled?: boolean;
  @Field(() => ActionQueueInput, {
    nullable: true,
    description: 'The action queue bound; kept on update unless given (config JSON may also hold `queue`).',
  })
  @IsOptional()
  @IsObject()
  queue?: ActionQueueInput;
}

@InputType({ description: "A typed configuration (the connector's kind) or config replaces the stored one." })
export class UpdateConnectorInput extends TypedConnectorConfigs {
  @Field(() => ID) @Length(1, 64) id!: string;
  @Field(() => Int, { description: 'The version you read.' }) @Min(1) version!: number;
  @Field({ nullable: true }) @IsOptional() @Length(1, 128) name?: string;
  @Field(() => GraphQLJSONObject, {
    nullable: true,
    description: 'Replaces the configuration; secrets left out keep their stored values.',
  })
  @IsOptional()
  @IsObject()
  config?: Record<string, unknown>;
  @Field(() => [String], { nullable: true, description: 'Secrets to remove (names from secretsSet).' })
  @IsOptional()
  @IsString({ each: true })
  clearSecrets?: string[];
  @Field({ nullable: true }) @IsOptional() @IsBoolean() enabled?: boolean;
  @Field(() => ActionQueueInput, {
    nullable: true,
    description: 'The action queue bound; kept on update unless given (config JSON may also hold `queue`).',
  })
  @IsOptional()
  @IsObject()
  queue?: ActionQueueInput;
}

@InputType()
export class ConnectorFilterInput {
  @Field({ nullable: true }) @IsOptional() @IsString() kind?: string;
  @Field({ nullable: true }) @IsOptional() @IsBoolean() enabled?: boolean;
}

@InputType({
  description: 'A configuration to try, typed: the field named after the kind (`http: { url }`).',
})
export class TestConnectorInput extends TypedConnectorConfigs {}
