import { Field, Float, Int, ObjectType } from '@nestjs/graphql';
import type { SummedMetrics } from './metrics-board.service';

@ObjectType('CountByReason')
export class CountByReasonModel {
  @Field({ description: 'The reason or error code.' }) reason!: string;
  @Field(() => Float) count!: number;
}

@ObjectType('RuleMetrics', {
  description:
    "A rule's counters under EMQX's names, summed over the live rules replicas since each started " +
    '(live, not stored).',
})
export class RuleMetricsModel {
  @Field(() => Float, { description: 'Evaluations: the topic matched (EMQX matched).' }) matched!: number;
  @Field(() => Float, { description: 'WHERE held and there were outputs (passed).' }) passed!: number;
  @Field(() => Float, { description: 'failed.exception + failed.no_result.' }) failed!: number;
  @Field(() => Float, { description: 'The evaluation raised an error (failed.exception).' })
  failedException!: number;
  @Field(() => Float, { description: 'WHERE was false, or FOREACH yielded nothing (failed.no_result).' })
  failedNoResult!: number;
  @Field(() => Float, { description: 'Action requests produced (actions.total).' }) actionsTotal!: number;
  @Field(() => Int, { description: 'Replicas whose counters are in the sums.' }) replicas!: number;

  static from({ values, replicas }: SummedMetrics): RuleMetricsModel {
    return {
      matched: values.matched ?? 0,
      passed: values.passed ?? 0,
      failed: values.failed ?? 0,
      failedException: values['failed.exception'] ?? 0,
      failedNoResult: values['failed.no_result'] ?? 0,
      actionsTotal: values['actions.total'] ?? 0,
      replicas,
    };
  }
}

@ObjectType('ActionMetrics', {
  description:
    "An action's delivery counters under EMQX's names, summed over the live delivery replicas since " +
    'each started (live, not stored).',
})
export class ActionMetricsModel {
  @Field(() => Float, { description: 'Requests taken for delivery, first attempt (matched).' })
  matched!: number;
  @Field(() => Float, { description: 'Confirmed by the target (success).' }) success!: number;
  @Field(() => Float, { description: 'Failed attempts (failed).' }) failed!: number;
  @Field(() => [CountByReasonModel], { description: 'Failed attempts by error code.' })
  failedByCode!: CountByReasonModel[];
  @Field(() => Float, { description: 'Attempts scheduled again (retried).' }) retried!: number;
  @Field(() => Float, { description: 'Given up without delivery (dropped).' }) dropped!: number;
  @Field(() => [CountByReasonModel], { description: 'dropped.<reason>, e.g. expired.' })
  droppedByReason!: CountByReasonModel[];
  @Field(() => Float, { description: 'Written to the DLQ.' }) deadLettered!: number;
  @Field(() => Float, { description: 'Handed to a fallback action.' }) fallback!: number;
  @Field(() => Float, { description: 'Held for a batch now (queuing).' }) queuing!: number;
  @Field(() => Float, { description: 'Being sent now (inflight).' }) inflight!: number;
  @Field(() => Float, { description: 'Answers after the send timeout (late_reply).' }) lateReply!: number;
  @Field(() => Int, { description: 'Replicas whose counters are in the sums.' }) replicas!: number;

  static from({ values, replicas }: SummedMetrics): ActionMetricsModel {
    return {
      matched: values.matched ?? 0,
      success: values.success ?? 0,
      failed: values.failed ?? 0,
      failedByCode: split(values, 'failed'),
      retried: values.retried ?? 0,
      dropped: values.dropped ?? 0,
      droppedByReason: split(values, 'dropped'),
      deadLettered: values.dead_lettered ?? 0,
      fallback: values.fallback ?? 0,
      queuing: values.queuing ?? 0,
      inflight: values.inflight ?? 0,
      lateReply: values.late_reply ?? 0,
      replicas,
    };
  }
}

/** `<name>.<reason>` values as a list, by reason. */
function split(values: Record<string, number>, name: string): CountByReasonModel[] {
  const prefix = `${name}.`;
  return Object.entries(values)
    .filter(([key]) => key.startsWith(prefix))
    .map(([key, count]) => ({ reason: key.slice(prefix.length), count }))
    .sort((a, b) => a.reason.localeCompare(b.reason));
}
