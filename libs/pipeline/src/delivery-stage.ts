import {
  ATTEMPTS_HEADER,
  BATCH_HEADER,
  decodeActionRequests,
  encodeActionRequest,
  NOT_BEFORE_HEADER,
  reservedSubjectReason,
  type ActionRequest,
  type Bus,
  type BusMessage,
  type Subjects,
} from '@sluice/bus';
import {
  createConnector,
  type Action,
  type Connector,
  type ConnectorOptions,
  type TargetPolicy,
  type DeliveryOutcome,
  type DeliveryRecord,
} from '@sluice/connectors';
import { describeError } from '@sluice/errors';
import {
  extractTraceContext,
  spanCarrier,
  SpanKind,
  startSpan,
  withSpan,
  type SluiceMetrics,
} from '@sluice/telemetry';
import { splitQueueSettings } from './action-queue/queue-settings';
import { CircuitBreaker } from './delivery/circuit-breaker';
import { ActionMeters } from './delivery/action-meters';
import { DeadLetterWriter } from './delivery/dead-letter-writer';
import { backoffMs, defaultDeliveryPolicy, type DeliveryPolicy } from './delivery/delivery-policy';
import { endDeliverySpan } from './delivery/delivery-span';
import { fallbackRequests, splitFallbacks, type FallbackTarget } from './delivery/fallback-actions';
import { RequestBatcher } from './delivery/request-batcher';
import { sendWithTimeout } from './delivery/send-with-timeout';
import { connectorRunConfig, type OperatorBroker } from './connector-run-config';
import type { PipelineDefinition, TenantDefinition } from './pipeline-definition';
import type { StageLogger } from './stage-logger';
import { TurnCounts } from './turn-counts';
import type { UsageMeter } from './usage-meter';

export { defaultDeliveryPolicy, type DeliveryPolicy };

export interface DeliveryCounters {
  delivered: number;
  retried: number;
  deadLettered: number;
  /** Redeliveries held back while a circuit was open (not attempts). */
  paused: number;
  /** Requests handed to fallback actions. */
  fellBack: number;
}

/** Builds a connector from its kind and configuration (the connectors library's registry by default). */
export type ConnectorFactory = (kind: string, config: unknown, options?: ConnectorOptions) => Connector;

export interface ConnectorHandle {
  tenant: string;
  id: string;
  /** Kind and configuration as JSON: a change means a new connector. */
  fingerprint: string;
  connector: Connector;
  /** Pauses deliveries while the target is down; delivery results drive it. */
  breaker?: CircuitBreaker;
  /** `sluice_connector_circuit_open` of this connector, bound once. */
  circuitGauge?: { set(value: number): void };
  /** What `circuitGauge` was last set to. */
  circuitOpen?: 0 | 1;
}

export interface TenantChange {
  /** Started connectors that need a consumer. */
  added: ConnectorHandle[];
  /** Connectors to retire: stop their consumers, then `closeConnectors`. */
  removed: ConnectorHandle[];
}

interface ActionEntry {
  action: Action;
  handle: ConnectorHandle;
  batcher?: RequestBatcher;
  /** Where the request goes when this action gives up on it. */
  fallbacks: FallbackTarget[];
  meters: ActionMeters;
}

/**
 * The delivery step: one consumer per connector takes action requests, sends them through the
 * connector (in batches where the action takes them, always with a timeout), and acks only when the
 * target confirmed. Retryable failures are retried with exponential backoff and jitter; the last
 * failure, or a permanent one, goes to the fallback actions and the DLQ stream, and only then is the
 * request acked. A circuit breaker per connector pauses deliveries while the target is down.
 */
export class DeliveryStage {
  private readonly connectors = new Map<string, ConnectorHandle>();
  private readonly actions = new Map<string, ActionEntry>();
  /** Redeliveries per message id that were pauses, not attempts (in memory: see docs/delivery.md). */
  private readonly paused = new Map<string, number>();
  private readonly policy: Required<DeliveryPolicy>;
  private readonly deadLetters: DeadLetterWriter;
  /** matched and success per action, handed to Prometheus once per turn. */
  private readonly counts: TurnCounts;
  readonly counters: DeliveryCounters = { delivered: 0, retried: 0, deadLettered: 0, paused: 0, fellBack: 0 };

  constructor(
    private readonly bus: Bus,
    private readonly subjects: Subjects,
    private readonly log: StageLogger,
    policy: DeliveryPolicy = defaultDeliveryPolicy,
    private readonly connectorFactory: ConnectorFactory = createConnector,
    private readonly metrics?: SluiceMetrics,
    private readonly usage?: UsageMeter,
    /** The target policy of tenants' connectors (none: unrestricted, as in the library's tests). */
    private readonly tenantTargets?: TargetPolicy,
    /** Where an MQTT connector without `url` republishes (in its tenant's namespace). */
    private readonly operatorBroker?: OperatorBroker,
  ) {
    this.policy = { ...defaultDeliveryPolicy, ...policy };
    this.counts = new TurnCounts(metrics);
    this.deadLetters = new DeadLetterWriter(bus, subjects, log, this.policy.maxBackoffMs);
  }

  /** Builds the connectors and actions of a pipeline definition (throws on invalid configuration). */
  async load(definition: PipelineDefinition): Promise<ConnectorHandle[]> {
    const added: ConnectorHandle[] = [];
    for (const tenant of definition.tenants) added.push(...(await this.applyTenant(tenant.id, tenant)).added);
    return added;
  }

  /**
   * Brings one tenant's connectors and actions to `tenant` (`null`: the tenant is gone). Unchanged
   * connectors keep running; new and changed ones are built and started; the ones to retire are
   * returned so the caller stops their consumers before {@link closeConnectors}. Everything is
   * validated first: an invalid connector or action throws and changes nothing.
   */
  async applyTenant(tenantId: string, tenant: TenantDefinition | null): Promise<TenantChange> {
    const current = [...this.connectors.values()].filter((h) => h.tenant === tenantId);
    const next = new Map<string, ConnectorHandle>();
    const created: ConnectorHandle[] = [];
    const actions = new Map<string, ActionEntry>();
    try {
      for (const def of tenant?.connectors ?? []) {
        // why split: `queue` bounds the connector's queue in the rules stage; the driver never sees it
        const run = connectorRunConfig(
          tenantId,
          tenant?.mountpoint,
          { ...def, config: splitQueueSettings(def.config).config },
          this.operatorBroker,
        );
        const driverConfig = run.config;
        const fingerprint = JSON.stringify([def.kind, driverConfig, def.configuredBy]);
        const existing = this.connectors.get(`${tenantId}/${def.id}`);
        if (existing?.fingerprint === fingerprint) {
          next.set(def.id, existing);
          continue;
        }
        const connector = this.connectorFactory(def.kind, driverConfig, {
          // why for every connector: a subject template can take its value from a message
          reservedSubject: reservedSubjectReason,
          // why none on the operator's broker: its address is the operator's choice, not the tenant's
          targets: def.configuredBy === 'operator' || run.onOperatorBroker ? undefined : this.tenantTargets,
        });
        const breaker = new CircuitBreaker({
          threshold: this.policy.breakerThreshold,
          openMs: this.policy.breakerOpenMs,
          // why: the health check that closes the circuit again (testConnection never throws)
          onProbeRefused: () => void connector.testConnection(),
        });
        const circuitGauge = this.metrics?.connectorCircuitOpen.labels({
          tenant: tenantId,
          connector: def.id,
        });
        const handle = { tenant: tenantId, id: def.id, fingerprint, connector, breaker, circuitGauge };
        created.push(handle);
        next.set(def.id, handle);
      }
      const rules = tenant?.rules ?? [];
      for (const rule of rules) {
        for (const def of rule.actions) {
          const handle = next.get(def.connector);
          if (!handle)
            throw new Error(`action '${def.id}' of rule '${rule.id}': unknown connector '${def.connector}'`);
          const { config, fallbacks } = splitFallbacks(rules, rule, def.id, def.config);
          const action = handle.connector.createAction(config);
          const meters = new ActionMeters(this.metrics, {
            tenant: tenantId,
            connector: handle.id,
            action: def.id,
          });
          const batcher =
            action.maxBatchSize > 1
              ? new RequestBatcher(action.maxBatchSize, this.policy.batchWindowMs, (records) => {
                  this.counts.add(meters.queuing, -records.length);
                  return this.sendBatch(action, meters, records);
                })
              : undefined;
          actions.set(actionKey(tenantId, rule.id, def.id), { action, handle, batcher, fallbacks, meters });
        }
      }
    } catch (error) {
      await Promise.allSettled(created.map((h) => h.connector.close()));
      throw error;
    }
    await Promise.all(created.map((h) => h.connector.start()));
    const removed = current.filter((h) => next.get(h.id) !== h);
    for (const handle of removed) this.connectors.delete(`${tenantId}/${handle.id}`);
    for (const handle of created) this.connectors.set(`${tenantId}/${handle.id}`, handle);
    for (const key of [...this.actions.keys()]) if (key.startsWith(`${tenantId}/`)) this.actions.delete(key);
    for (const [key, action] of actions) this.actions.set(key, action);
    return { added: created, removed };
  }

  /** Closes connectors retired by {@link applyTenant}, once their consumers have stopped. */
  async closeConnectors(handles: readonly ConnectorHandle[]): Promise<void> {
    await Promise.allSettled(handles.map((h) => h.connector.close()));
  }

  /**
   * A connector's health from its own status and its delivery results: a target that accepts
   * connections but fails every write opens the circuit and shows as down.
   */
  connectorHealth(handle: ConnectorHandle): { up: boolean; detail: string } {
    const status = handle.connector.status();
    const circuit = handle.breaker?.state ?? 'closed';
    if (status.state !== 'connected') return { up: false, detail: status.reason ?? status.state };
    if (circuit !== 'closed')
      return {
        up: false,
        detail: `circuit ${circuit}: ${handle.breaker?.lastFailure ?? 'deliveries failing'}`,
      };
    return { up: true, detail: 'connected' };
  }

  /**
   * Handles one ACTIONS message, a single request or a batch envelope (BATCH_HEADER): never throws;
   * acks, naks with backoff, pauses, or dead-letters. A batch is acked once each of its requests is
   * delivered, dead-lettered, or stored again alone for its retry (docs/adr/0003-batched-delivery.md).
   */
  async handle(message: BusMessage): Promise<void> {
    let requests: ActionRequest[];
    try {
      requests = decodeActionRequests(message);
    } catch (error) {
      this.log.error(`undecodable ACTIONS message ${message.msgId}: ${describeError(error).message}`);
      const failure = { code: 'ACTION_REQUEST_UNDECODABLE', message: describeError(error).message };
      await this.deadLetters.write(message, undefined, failure, message.deliveryCount);
      return;
    }
    const headers = message.headers;
    const batched = headers[BATCH_HEADER] !== undefined;
    const paused = this.paused.get(message.msgId) ?? 0;
    // why: a request stored again for its retry waits in the stream until its backoff has passed
    const notBefore = Number(headers[NOT_BEFORE_HEADER] ?? 0);
    if (!batched && notBefore > Date.now()) return this.pause(message, notBefore - Date.now());
    const first = requests[0];
    const entry = first && this.actions.get(actionKey(first.tenant, first.ruleId, first.actionId));
    const breaker = entry?.handle.breaker;
    if (breaker && !breaker.admit(entry.handle.connector.status().state === 'disconnected')) {
      // why: the target is down; the message waits in the stream without using an attempt
      this.counters.paused++;
      return this.pause(message, breaker.pauseMs());
    }
    const attempt = Number(headers[ATTEMPTS_HEADER] ?? 0) + message.deliveryCount - paused;
    const firstDelivery = headers[ATTEMPTS_HEADER] === undefined && message.deliveryCount - paused === 1;
    if (!batched) {
      const result = await this.process(requests[0]!, attempt, firstDelivery, message.msgId);
      if (result.kind === 'retry') message.nak(result.delayMs);
      else if (result.kind === 'unstored') message.nak(this.policy.maxBackoffMs);
      else {
        this.paused.delete(message.msgId);
        await message.ack();
      }
      return;
    }
    const results = await Promise.all(
      requests.map((r) => this.process(r, attempt, firstDelivery, `${message.msgId}/${r.id}`)),
    );
    try {
      const retries: Promise<void>[] = [];
      results.forEach((result, i) => {
        if (result.kind === 'retry') retries.push(this.storeRetry(message.subject, requests[i]!, result));
      });
      await Promise.all(retries);
    } catch (error) {
      // why: a crash-like path; the batch comes back whole, so delivered requests repeat (at-least-once)
      this.log.warn(`could not store the retries of ${message.msgId}: ${describeError(error).message}`);
      message.nak(this.policy.maxBackoffMs);
      return;
    }
    if (results.some((r) => r.kind === 'unstored')) {
      message.nak(this.policy.maxBackoffMs);
      return;
    }
    this.paused.delete(message.msgId);
    await message.ack();
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.connectors.values()].map((h) => h.connector.close()));
  }

  private pause(message: BusMessage, delayMs: number): void {
    this.paused.set(message.msgId, (this.paused.get(message.msgId) ?? 0) + 1);
    message.nak(delayMs);
  }

  /** Stores a request of a batch alone for its next attempt, keyed so a repeated batch stores it once. */
  private storeRetry(subject: string, request: ActionRequest, retry: Retry): Promise<void> {
    return this.bus.publish(subject, encodeActionRequest(request), {
      msgId: `${request.id}/attempt/${retry.attempt}`,
      headers: {
        [ATTEMPTS_HEADER]: String(retry.attempt),
        [NOT_BEFORE_HEADER]: String(Date.now() + retry.delayMs),
      },
    });
  }

  /** One request: delivers it, or decides its retry, or gives up on it; acks nothing. */
  private async process(
    request: ActionRequest,
    attempt: number,
    firstDelivery: boolean,
    letterId: string,
  ): Promise<Disposition> {
    const entry = this.actions.get(actionKey(request.tenant, request.ruleId, request.actionId));
    if (!entry) {
      const labels = { tenant: request.tenant, connector: request.connectorId, action: request.actionId };
      if (firstDelivery) this.metrics?.actionMatched.inc(labels);
      // why retry first: a rule enabled or added a moment ago can reach the rules stage before this
      // replica has its action (each service applies a change on its own); give up only later
      if (attempt < this.policy.maxAttempts) {
        this.counters.retried++;
        this.metrics?.actionRetried.inc(labels);
        return { kind: 'retry', attempt, delayMs: backoffMs(this.policy, attempt) };
      }
      const failure = {
        code: 'ACTION_NOT_FOUND',
        message: `no action '${request.actionId}' after ${attempt} attempt(s)`,
      };
      return this.giveUp(letterId, request, undefined, failure, attempt, labels);
    }
    const meters = entry.meters;
    const labels = meters.labels;
    if (firstDelivery) this.counts.add(meters.matched);
    const ttl = this.policy.requestTtlMs;
    if (ttl > 0 && request.createdAt > 0 && Date.now() - request.createdAt > ttl) {
      this.metrics?.actionDropped.inc({ ...labels, reason: 'expired' });
      const failure = { code: 'ACTION_EXPIRED', message: `not delivered within ${ttl} ms` };
      return this.giveUp(letterId, request, entry, failure, attempt, labels);
    }
    // why a span per attempt: retries show in the trace; the target continues this span's context
    const span = startSpan(
      `deliver ${request.connectorId}`,
      SpanKind.PRODUCER,
      extractTraceContext(request.trace),
    );
    // why no copy for a span that is not recorded: it is the parent's context, which request.trace
    // already carries (two objects per request less, the garbage being delivery's largest cost)
    const traced = span.isRecording()
      ? { ...request, trace: { ...request.trace, ...spanCarrier(span) } }
      : request;
    const outcome = await withSpan(span, () => this.deliver(entry, traced));
    endDeliverySpan(span, request, attempt, outcome);
    const breaker = entry.handle.breaker;
    if (breaker) {
      breaker.record(outcome, entry.handle.connector.status().state === 'disconnected');
      const open = breaker.state === 'closed' ? 0 : 1;
      // why only on a change: a gauge set hashes its labels (prom-client), and this runs per request
      if (entry.handle.circuitOpen !== open)
        entry.handle.circuitGauge?.set((entry.handle.circuitOpen = open));
    }
    if (outcome.ok) {
      this.counters.delivered++;
      this.usage?.record(request.tenant);
      this.counts.add(meters.success);
      if (request.createdAt > 0) meters.latency?.observe((Date.now() - request.createdAt) / 1000);
      return DONE;
    }
    meters.failed(outcome.code);
    if (outcome.retryable && attempt < this.policy.maxAttempts) {
      this.counters.retried++;
      meters.retried?.inc();
      return { kind: 'retry', attempt, delayMs: backoffMs(this.policy, attempt) };
    }
    return this.giveUp(letterId, request, entry, outcome, attempt, labels);
  }

  private async deliver(entry: ActionEntry, request: ActionRequest): Promise<DeliveryOutcome> {
    let data: Record<string, unknown>;
    // why a view, not Buffer.from(bytes): that copies the bytes once more per request
    const bytes = request.data;
    const json = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
    try {
      data = JSON.parse(json) as Record<string, unknown>;
    } catch (error) {
      return { ok: false, retryable: false, code: 'ACTION_DATA_INVALID', message: (error as Error).message };
    }
    // why json too: a `${.}` template (the MQTT payload's default) sends it as it is
    const record: DeliveryRecord = { id: request.id, data, json, headers: request.trace };
    if (!entry.batcher) return (await this.sendBatch(entry.action, entry.meters, [record]))[0]!;
    // why no dec here: the request stops queuing when its batch goes out (see applyTenant), not
    // when the send settles, or it would count as queuing and inflight at once
    this.counts.add(entry.meters.queuing);
    return entry.batcher.add(record);
  }

  private async sendBatch(
    action: Action,
    meters: ActionMeters,
    records: DeliveryRecord[],
  ): Promise<DeliveryOutcome[]> {
    this.counts.add(meters.inflight, records.length);
    try {
      return await sendWithTimeout(action, records, this.policy.sendTimeoutMs, () => meters.lateReply?.inc());
    } finally {
      this.counts.add(meters.inflight, -records.length);
    }
  }

  /** The action gave up: hand the request to its fallback actions, then to the DLQ. */
  private async giveUp(
    letterId: string,
    request: ActionRequest,
    entry: ActionEntry | undefined,
    failure: { code: string; message: string },
    attempts: number,
    labels: { tenant: string; connector: string; action: string },
  ): Promise<Disposition> {
    try {
      for (const fallback of fallbackRequests(request, entry?.fallbacks ?? [])) {
        const subject = this.subjects.actions(request.tenant, fallback.connectorId);
        await this.bus.publish(subject, encodeActionRequest(fallback), { msgId: fallback.id });
        this.counters.fellBack++;
        this.metrics?.actionFallback.inc(labels);
      }
    } catch (error) {
      // why: the fallback ids are stable, so publishing them again later stores no duplicates
      this.log.warn(`could not hand ${request.id} to its fallback: ${describeError(error).message}`);
      return UNSTORED;
    }
    if (!(await this.deadLetters.store(letterId, request, failure, attempts))) return UNSTORED;
    this.counters.deadLettered++;
    // why: an action that ran out of attempts was executed too, and counts for usage
    this.usage?.record(request.tenant);
    this.metrics?.actionDeadLettered.inc({ ...labels, code: failure.code });
    return DONE;
  }
}

interface Retry {
  kind: 'retry';
  attempt: number;
  delayMs: number;
}
/** What became of one request: settled (delivered or dead-lettered), to retry, or not stored anywhere. */
type Disposition = { kind: 'done' } | Retry | { kind: 'unstored' };
const DONE: Disposition = { kind: 'done' };
const UNSTORED: Disposition = { kind: 'unstored' };

function actionKey(tenant: string, rule: string, action: string): string {
  return `${tenant}/${rule}/${action}`;
}
