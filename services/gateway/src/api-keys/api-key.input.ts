import { Field, InputType, Int } from '@nestjs/graphql';
import { ArrayMaxSize, IsOptional, IsString, Length, Max, Min } from 'class-validator';

@InputType()
export class CreateApiKeyInput {
  @Field() @Length(1, 128) name!: string;
  @Field(() => [String], { nullable: true, description: 'MQTT topic filters; none when omitted.' })
  @IsOptional()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @Length(1, 65535, { each: true })
  publishTopics?: string[];
  @Field(() => Int, { nullable: true }) @IsOptional() @Min(1) @Max(1_000_000) rateLimit?: number;
}
