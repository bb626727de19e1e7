import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import type { RuleTraceEvent } from '@sluice/bus';
import { GraphQLJSONObject } from 'graphql-scalars';

@ObjectType('RuleTraceEvent', { description: 'One evaluation of a traced rule, as it happened.' })
export class RuleTraceEventModel {
  @Field(() => ID) ruleId!: string;
  @Field({ description: 'The id of the evaluated message.' }) messageId!: string;
  @Field() topic!: string;
  @Field({ description: 'WHERE held and there were outputs.' }) matched!: boolean;
  @Field(() => [GraphQLJSONObject]) outputs!: Record<string, unknown>[];
  @Field(() => String, { nullable: true, description: 'The evaluation error, if any.' }) error!:
    string | null;
  @Field({ description: 'When the rules replica evaluated it.' }) at!: Date;
  @Field({ description: 'The rules replica.' }) node!: string;
  @Field(() => Int, {
    description: 'Evaluations left out before this one (rate cap: 20 a second per replica).',
  })
  skipped!: number;
  @Field(() => GraphQLJSONObject, {
    nullable: true,
    description:
      'The message as the rule saw it (topic, payload, qos, clientid, pub_props, ...): give it to testRule ' +
      'as the context to try the SQL on this very message. A payload over 64 KiB is cut there (payload_truncated).',
  })
  context!: Record<string, unknown> | null;

  static from(event: RuleTraceEvent): RuleTraceEventModel {
    return {
      ruleId: event.ruleId,
      messageId: event.messageId,
      topic: event.topic,
      matched: event.matched,
      outputs: event.outputs.map((o) => JSON.parse(o) as Record<string, unknown>),
      error: event.error || null,
      at: new Date(event.at),
      node: event.node,
      skipped: event.skipped,
      context: event.context ? (JSON.parse(event.context) as Record<string, unknown>) : null,
    };
  }
}
