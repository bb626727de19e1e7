import { Field, ID, InputType, Int } from '@nestjs/graphql';
import { IsBoolean, IsObject, IsOptional, IsString, Length, Min } from 'class-validator';
import { GraphQLJSONObject } from 'graphql-type-json';

@InputType()
export class CreateConnectorInput {
  @Field() @Length(1, 128) name!: string;
  @Field({ description: 'One of connectorKinds (http, postgres, mysql, redis, rabbitmq, mqtt, nats).' })
  @Length(1, 32)
  kind!: string;
  @Field(() => GraphQLJSONObject, { description: "The kind's configuration, secrets included." })
  @IsObject()
  config!: Record<string, unknown>;
  @Field({ nullable: true, defaultValue: true }) @IsOptional() @IsBoolean() enabled?: boolean;
}

@InputType()
export class UpdateConnectorInput {
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
}

@InputType()
export class ConnectorFilterInput {
  @Field({ nullable: true }) @IsOptional() @IsString() kind?: string;
  @Field({ nullable: true }) @IsOptional() @IsBoolean() enabled?: boolean;
}
