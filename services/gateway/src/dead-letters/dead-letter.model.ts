import { Field, Float, ID, Int, ObjectType } from '@nestjs/graphql';

@ObjectType('DeadLetter', {
  description:
    'An action request that delivery gave up on, kept in the DLQ until it is re-driven or expires.',
})
export class DeadLetterModel {
  @Field(() => Float, { description: 'Its place in the DLQ: what deadLetter and redriveDeadLetter take.' })
  seq!: number;
  @Field(() => ID, { description: '_ingest for a message ingest could not store.' }) connectorId!: string;
  @Field(() => String, { description: "Empty when the letter holds no request (it can't be re-driven)." })
  ruleId!: string;
  @Field(() => String) actionId!: string;
  @Field(() => String, {
    description: 'The request id, kept when re-driven (targets write idempotently on it).',
  })
  requestId!: string;
  @Field({ description: 'The error code of the last attempt, e.g. HTTP_503.' }) code!: string;
  @Field() message!: string;
  @Field(() => Int) attempts!: number;
  @Field() firstFailedAt!: string;
  @Field() failedAt!: string;
  @Field({ description: 'Whether redriveDeadLetter can send it again (it holds a request).' })
  redrivable!: boolean;
}

@ObjectType('DeadLetterDetail', { description: 'A dead letter with what it was to deliver.' })
export class DeadLetterDetailModel extends DeadLetterModel {
  @Field({
    description:
      'The rule output the action was to deliver (JSON text); base64 of the raw bytes without a request.',
  })
  data!: string;
  @Field({ description: 'The ingested message the request came from.' }) sourceMessageId!: string;
  @Field({ description: "When the rules service made the request (ISO), '' without a request." })
  createdAt!: string;
}

@ObjectType('DeadLetterRedrive', {
  description: 'A re-driven dead letter: back in ACTIONS, gone from the DLQ.',
})
export class DeadLetterRedriveModel {
  @Field(() => Float) seq!: number;
  @Field({ description: 'The message id it was stored under again (<request id>/redrive/<seq>).' })
  messageId!: string;
}
