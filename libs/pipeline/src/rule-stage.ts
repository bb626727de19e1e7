import {
  BATCH_HEADER,
  createActionBatchPublisher,
  decodeIngestBatch,
  decodeIngestEnvelope,
  encodeActionRequest,
  encodeIngestEnvelope,
  encodeDeadLetter,
  type ActionRequest,
  type BatchPublisher,
  type Bus,
  type BusMessage,
  type IngestEnvelope,
  type Subjects,
} from '@sluice/bus';
import { describeError } from '@sluice/errors';
import {
  endSpan,
  extractTraceContext,
  LogSampler,
  spanCarrier,
  SpanKind,
  startSpan,
  type SluiceMetrics,
  type Span,
} from '@sluice/telemetry';
import { compileRule, stringifyJson, TopicFilterIndex, type CompiledRule } from '@sluice/rule-engine';
import { ActionQueueFullError, type ActionQueueLimits } from './action-queue/action-queue-limits';
import { toRuleContext } from './message-context';
import type { RuleTaps } from './rule-trace/rule-tap';
import type { PipelineDefinition, RuleDefinition, TenantDefinition } from './pipeline-definition';
import type { StageLogger } from './stage-logger';
import { TurnCounts, type BoundCounter } from './turn-counts';

interface LoadedRule {
  tenant: string;
  definition: RuleDefinition;
  compiled: CompiledRule;
  /** Each action with its ACTIONS subject, built once when the rule loads. */
  actions: { id: string; connector: string; subject: string; batched: boolean }[];
  /** The rule's Prometheus counters, bound once when the rule loads. */
  meters: { matched?: BoundCounter; passed?: BoundCounter; noResult?: BoundCounter; actions?: BoundCounter };
}

export interface RuleStageCounters {
  messages: number;
  matched: number;
  passed: number;
  failed: number;
  noResult: number;
  actionRequests: number;
  undecodable: number;
}

/** How long a message waits before it is tried again when its outputs could not be stored. */
const RETRY_DELAY_MS = 1_000;
/** Tenant and connector tokens of dead letters whose origin could not be read. */
const UNKNOWN = '_unknown';
/** The connector token of the rules stage's dead letters for one message of a known tenant. */
const RULES_DLQ_TOKEN = '_rules';
/**
 * Deliveries of one INGEST message after which a failure that is not backpressure dead-letters it
 * instead of naking it again: a message that fails the same way every time (an output too large to
 * store, a bug) must not be redelivered for ever. Twenty deliveries a second apart outlast a broker
 * restart; a full action queue (backpressure) is retried without a bound.
 */
export const MAX_RULE_STAGE_ATTEMPTS = 20;

/**
 * The rules step: takes ingested messages, runs the tenant's rules that match the topic, and stores
 * one action request per output and action. The message is acknowledged only after every request
 * is stored, so a crash in between redelivers it; request ids are stable, so the bus de-duplicates.
 */
export class RuleStage {
  private readonly indexes = new Map<string, TopicFilterIndex<LoadedRule>>();
  /** ACTIONS batch envelopes, one lane per connector subject (docs/adr/0003-batched-delivery.md). */
  private readonly batches: BatchPublisher<ActionRequest>;
  /** matched, passed and actions per rule, handed to Prometheus once per turn. */
  private readonly counts: TurnCounts;
  /** Per-message problems: one line per rule and reason a minute, with the count left out. */
  private readonly sampler = new LogSampler();
  readonly counters: RuleStageCounters = {
    messages: 0,
    matched: 0,
    passed: 0,
    failed: 0,
    noResult: 0,
    actionRequests: 0,
    undecodable: 0,
  };

  constructor(
    private readonly bus: Bus,
    private readonly subjects: Subjects,
    private readonly log: StageLogger,
    private readonly metrics?: SluiceMetrics,
    /** Live rule traces the gateway asked for (none: nothing is traced). */
    private readonly taps?: RuleTaps,
    /** Bounds each connector's action queue; without it only the ACTIONS stream limits apply. */
    private readonly queues?: ActionQueueLimits,
  ) {
    this.counts = new TurnCounts(metrics);
    const batchSizes = metrics?.busBatchMessages.labels({ stream: 'ACTIONS' });
    this.batches = createActionBatchPublisher(bus, { onBatch: batchSizes && ((n) => batchSizes.observe(n)) });
  }

  /** Compiles every enabled rule; throws the rule's SQL error, prefixed with the rule, when one is invalid. */
  load(definition: PipelineDefinition): void {
    for (const tenant of definition.tenants) this.loadTenant(tenant);
  }

  /**
   * Replaces one tenant's rules. Every rule is compiled before anything changes, so a rule that
   * does not compile leaves the tenant's running rules in place (and the error names the rule).
   */
  loadTenant(tenant: TenantDefinition): void {
    const index = new TopicFilterIndex<LoadedRule>();
    const bounded = new Set(
      tenant.connectors.filter((c) => c.config['queue'] !== undefined).map((c) => c.id),
    );
    for (const rule of tenant.rules) {
      if (!rule.enabled) continue;
      let compiled: CompiledRule;
      try {
        compiled = compileRule(rule.sql);
      } catch (error) {
        (error as Error).message = `rule '${rule.id}' of tenant '${tenant.id}': ${(error as Error).message}`;
        throw error;
      }
      const actions = rule.actions.map((a) => ({
        id: a.id,
        connector: a.connector,
        subject: this.subjects.actions(tenant.id, a.connector),
        // why: a queue bound counts JetStream messages, so a bounded connector gets one request each
        batched: !bounded.has(a.connector),
      }));
      const labels = { tenant: tenant.id, rule: rule.id };
      const meters = {
        matched: this.metrics?.ruleMatched.labels(labels),
        passed: this.metrics?.rulePassed.labels(labels),
        noResult: this.metrics?.ruleFailed.labels({ ...labels, reason: 'no_result' }),
        actions: this.metrics?.ruleActions.labels(labels),
      };
      const loaded = { tenant: tenant.id, definition: rule, compiled, actions, meters };
      for (const topic of compiled.topics) index.add(topic, loaded);
    }
    this.indexes.set(tenant.id, index);
  }

  removeTenant(tenantId: string): void {
    this.indexes.delete(tenantId);
  }

  /** Handles one INGEST message: never throws; acks, naks for a retry, or dead-letters. */
  async handle(message: BusMessage): Promise<void> {
    try {
      await this.handleOnce(message);
    } catch (error) {
      // why: a rejected handler is nak'ed at once by the consumer, which would loop for ever
      await this.retryOrDeadLetter(message, 'RULE_STAGE_FAILED', error);
    }
  }

  private async handleOnce(message: BusMessage): Promise<void> {
    this.counters.messages++;
    const batched = message.headers[BATCH_HEADER] !== undefined;
    let envelopes: IngestEnvelope[];
    try {
      envelopes = batched ? decodeIngestBatch(message.data) : [decodeIngestEnvelope(message.data)];
    } catch (error) {
      // why: it will never decode, so retrying would block the stream; keep its bytes in DLQ
      this.counters.undecodable++;
      this.metrics?.ingestUndecodable.inc();
      const { code, message: detail } = describeError(error);
      await this.deadLetterMessage(
        message,
        code,
        `undecodable INGEST message on ${message.subject}: ${detail}`,
      );
      return;
    }
    const stored: Promise<void>[] = [];
    for (const envelope of envelopes) this.evaluateOrDeadLetter(envelope, message.deliveryCount, stored);
    try {
      await Promise.all(stored);
    } catch (error) {
      // why quiet for a full queue: that is backpressure working (logged once by the queue limits)
      if (error instanceof ActionQueueFullError) message.nak(RETRY_DELAY_MS);
      else await this.retryOrDeadLetter(message, 'RULE_OUTPUT_NOT_STORED', error);
      return;
    }
    await message.ack();
  }

  /**
   * The embedded mode's entry point (docs/adr/0009-embedded-rules-on-the-ingest-turn.md): evaluates
   * one message as ingest receives it, without storing it in INGEST. Resolves once every action
   * request it produced (or its dead letter) is stored, which is when the source may acknowledge the
   * broker; rejects when they could not be stored, so the source keeps it unacknowledged and tries
   * again. `attempt` counts those tries: a failure other than a full action queue (backpressure)
   * dead-letters the message on attempt MAX_RULE_STAGE_ATTEMPTS, as `handle` does after as many
   * deliveries.
   */
  async evaluateNow(envelope: IngestEnvelope, attempt: number): Promise<void> {
    this.counters.messages++;
    const stored: Promise<void>[] = [];
    this.evaluateOrDeadLetter(envelope, attempt, stored);
    // why the fast path: most messages of a flow produce nothing, or requests stored in one commit
    if (stored.length === 0) return;
    try {
      await Promise.all(stored);
    } catch (error) {
      if (error instanceof ActionQueueFullError || attempt < MAX_RULE_STAGE_ATTEMPTS) throw error;
      const detail = describeError(error).message;
      await this.deadLetterEnvelope(
        envelope,
        attempt,
        'RULE_OUTPUT_NOT_STORED',
        `message ${envelope.id} on '${envelope.topic}' failed ${attempt} times: ${detail}`,
      );
    }
  }

  /**
   * Runs the matching rules on one message; a message that breaks the stage (it would on every
   * try) goes to DLQ alone, and the other messages of its batch go on.
   */
  private evaluateOrDeadLetter(envelope: IngestEnvelope, attempts: number, stored: Promise<void>[]): void {
    try {
      this.evaluate(envelope, stored);
    } catch (error) {
      const detail = describeError(error).message;
      stored.push(
        this.deadLetterEnvelope(
          envelope,
          attempts,
          'RULE_STAGE_FAILED',
          `message ${envelope.id} on '${envelope.topic}' broke the rules stage: ${detail}`,
        ),
      );
    }
  }

  /** Naks for another try, or dead-letters the message once it has failed MAX_RULE_STAGE_ATTEMPTS times. */
  private async retryOrDeadLetter(message: BusMessage, code: string, error: unknown): Promise<void> {
    const detail = describeError(error).message;
    if (message.deliveryCount < MAX_RULE_STAGE_ATTEMPTS) {
      const skipped = this.sampler.take(`retry\u0000${code}`);
      if (skipped !== undefined)
        this.log.warn(
          `could not process INGEST message ${message.msgId} (attempt ${message.deliveryCount} of ` +
            `${MAX_RULE_STAGE_ATTEMPTS}), retrying: ${detail}${LogSampler.suffix(skipped)}`,
        );
      message.nak(RETRY_DELAY_MS);
      return;
    }
    await this.deadLetterMessage(
      message,
      code,
      `INGEST message on ${message.subject} failed ${message.deliveryCount} times: ${detail}`,
    );
  }

  /** One message that broke the stage or whose outputs could not be stored, under its tenant and `_rules`, with its envelope. */
  private async deadLetterEnvelope(
    envelope: IngestEnvelope,
    attempts: number,
    code: string,
    detail: string,
  ): Promise<void> {
    const letter = encodeDeadLetter({
      errorCode: code,
      errorMessage: detail,
      attempts,
      failedAt: Date.now(),
      raw: encodeIngestEnvelope(envelope),
    });
    let subject: string;
    try {
      subject = this.subjects.dlq(envelope.tenant, RULES_DLQ_TOKEN);
    } catch {
      subject = this.subjects.dlq(UNKNOWN, RULES_DLQ_TOKEN);
    }
    await this.bus.publish(subject, letter, { msgId: `dlq:rules:${envelope.id}` });
    this.log.error(`dead-lettered (${code}, tenant '${envelope.tenant}'): ${detail}`);
  }

  private async deadLetterMessage(message: BusMessage, code: string, detail: string) {
    const letter = encodeDeadLetter({
      errorCode: code,
      errorMessage: detail,
      attempts: message.deliveryCount,
      failedAt: Date.now(),
      raw: message.data,
    });
    try {
      await this.bus.publish(this.subjects.dlq(UNKNOWN, UNKNOWN), letter, { msgId: `dlq:${message.msgId}` });
    } catch (publishError) {
      this.log.warn(
        `could not dead-letter ${message.msgId}, retrying: ${describeError(publishError).message}`,
      );
      message.nak(RETRY_DELAY_MS);
      return;
    }
    const skipped = this.sampler.take(`dead-letter\u0000${code}`);
    if (skipped !== undefined)
      this.log.error(`dead-lettered INGEST message ${message.msgId}: ${detail}${LogSampler.suffix(skipped)}`);
    await message.ack();
  }

  /** Runs the matching rules on one message and queues the storing of its action requests. */
  private evaluate(envelope: IngestEnvelope, stored: Promise<void>[]): void {
    const rules = this.indexes.get(envelope.tenant)?.match(envelope.topic) ?? [];
    if (rules.length === 0) return;
    const context = toRuleContext(envelope);
    const parent = extractTraceContext(envelope.trace);
    for (const rule of rules) {
      const labels = { tenant: rule.tenant, rule: rule.definition.id };
      this.counters.matched++;
      this.counts.add(rule.meters.matched);
      const span = startSpan(`rule ${rule.definition.id}`, SpanKind.INTERNAL, parent);
      const result = rule.compiled.evaluate(context);
      this.taps?.observe(rule.tenant, rule.definition.id, envelope, result);
      if ('error' in result) {
        this.counters.failed++;
        this.metrics?.ruleFailed.inc({ ...labels, reason: 'exception' });
        // why sampled: a rule failing on every message (a non-JSON payload) would write a line per message
        const skipped = this.sampler.take(`${rule.tenant}\u0000${rule.definition.id}\u0000exception`);
        if (skipped !== undefined)
          this.log.warn(
            `rule ${rule.tenant}/${rule.definition.id} failed on message ${envelope.id} (topic ${envelope.topic}): ${result.error.message}${LogSampler.suffix(skipped)}`,
          );
        endRuleSpan(span, rule, envelope, false, 0, {
          code: 'RULE_EVALUATION_FAILED',
          message: result.error.message,
        });
        continue;
      }
      // why: EMQX counts a FOREACH that yields no item as failed.no_result, not as passed
      if (!result.matched || result.outputs.length === 0) {
        this.counters.noResult++;
        this.counts.add(rule.meters.noResult);
        endRuleSpan(span, rule, envelope, false, 0);
        continue;
      }
      this.counters.passed++;
      this.counts.add(rule.meters.passed);
      this.counts.add(rule.meters.actions, result.outputs.length * rule.actions.length);
      const trace = spanCarrier(span);
      const now = Date.now();
      result.outputs.forEach((output, index) => {
        // why once per output: every action of the rule carries the same rule output
        // why stringifyJson: EMQX's JSON keeps 3.0 a float and integers beyond 2^53 exact
        const json = Buffer.from(stringifyJson(output));
        for (const action of rule.actions) {
          const id = `${envelope.id}:${rule.definition.id}:${index}:${action.id}`;
          const request: ActionRequest = {
            id,
            tenant: rule.tenant,
            ruleId: rule.definition.id,
            actionId: action.id,
            connectorId: action.connector,
            data: json,
            sourceMessageId: envelope.id,
            createdAt: now,
            trace,
          };
          // why batches: requests stored together share one JetStream message (group commit); the
          // INGEST message is acked only once every batch holding one of its requests is stored
          if (action.batched) {
            stored.push(this.batches.publish(action.subject, request));
          } else {
            const data = encodeActionRequest(request);
            const publish = () => this.bus.publish(action.subject, data, { msgId: id });
            // why through the queue limits: a full action queue applies its overflow policy (docs/delivery.md)
            stored.push(
              this.queues
                ? this.queues.admit(rule.tenant, action.connector, action.id, data, publish)
                : publish(),
            );
          }
          this.counters.actionRequests++;
        }
      });
      endRuleSpan(span, rule, envelope, true, result.outputs.length);
    }
  }
}

function endRuleSpan(
  span: Span,
  rule: LoadedRule,
  envelope: IngestEnvelope,
  passed: boolean,
  outputs: number,
  failure?: { code: string; message: string },
): void {
  // why the check: a sampled-out message must not pay for building attributes
  if (span.isRecording()) {
    span.setAttributes({
      'sluice.tenant': rule.tenant,
      'sluice.rule.id': rule.definition.id,
      'sluice.rule.matched': true,
      'sluice.rule.passed': passed,
      'sluice.rule.outputs': outputs,
      'messaging.message.id': envelope.id,
    });
  }
  endSpan(span, failure);
}
