import { Field, ID, InputType, Int } from '@nestjs/graphql';
import { IsOptional, Length, Min } from 'class-validator';

@InputType()
export class CreateTenantInput {
  @Field() @Length(1, 128) name!: string;
  @Field({
    nullable: true,
    description:
      "A configured plan; when omitted SLUICE_DEFAULT_PLAN ('free', or 'unlimited' in the embedded mode).",
  })
  @IsOptional()
  @Length(1, 64)
  plan?: string;
}

@InputType()
export class UpdateTenantInput {
  @Field(() => ID) @Length(1, 64) id!: string;
  @Field(() => Int, { description: 'The version you read.' }) @Min(1) version!: number;
  @Field({ nullable: true }) @IsOptional() @Length(1, 128) name?: string;
  @Field({ nullable: true }) @IsOptional() @Length(1, 64) plan?: string;
}
