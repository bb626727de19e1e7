import { Field, ID, InputType, Int } from '@nestjs/graphql';
import { IsBoolean, IsIn, IsObject, IsOptional, IsString, Length, Min } from 'class-validator';
import { GraphQLJSONObject } from 'graphql-scalars';

@InputType()
export class CreateSourceInput {
  @Field() @Length(1, 128) name!: string;
  @Field({ nullable: true, defaultValue: 'mqtt', description: 'mqtt (kafka and nats sources come later).' })
  @IsOptional()
  @IsIn(['mqtt'], { message: 'only mqtt sources are supported so far' })
  kind?: string;
  @Field(() => GraphQLJSONObject, {
    description: '{ url?, topics: [{ filter, qos }], username?, password?, ... }',
  })
  @IsObject()
  config!: Record<string, unknown>;
  @Field({ nullable: true, defaultValue: true }) @IsOptional() @IsBoolean() enabled?: boolean;
}

@InputType()
export class UpdateSourceInput {
  @Field(() => ID) @Length(1, 64) id!: string;
  @Field(() => Int, { description: 'The version you read.' }) @Min(1) version!: number;
  @Field({ nullable: true }) @IsOptional() @Length(1, 128) name?: string;
  @Field(() => GraphQLJSONObject, {
    nullable: true,
    description: 'Secrets left out keep their stored values.',
  })
  @IsOptional()
  @IsObject()
  config?: Record<string, unknown>;
  @Field(() => [String], { nullable: true }) @IsOptional() @IsString({ each: true }) clearSecrets?: string[];
  @Field({ nullable: true }) @IsOptional() @IsBoolean() enabled?: boolean;
}

@InputType()
export class SourceFilterInput {
  @Field({ nullable: true }) @IsOptional() @IsString() kind?: string;
  @Field({ nullable: true }) @IsOptional() @IsBoolean() enabled?: boolean;
}
