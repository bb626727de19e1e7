import {
  decodeActionRequest,
  encodeDeadLetter,
  type ActionRequest,
  type Bus,
  type BusMessage,
  type Subjects,
} from '@sluice/bus';
import { createConnector, type Action, type Connector, type DeliveryOutcome } from '@sluice/connectors';
import { describeError } from '@sluice/errors';
import type { SluiceMetrics } from '@sluice/telemetry';
import type { PipelineDefinition, TenantDefinition } from './pipeline-definition';
import type { StageLogger } from './stage-logger';
import type { UsageMeter } from './usage-meter';

export interface DeliveryPolicy {
  /** Attempts before a request goes to the dead-letter stream. */
  maxAttempts: number;
  /** First retry delay; doubles per attempt, with full jitter, up to `maxBackoffMs`. */
  baseBackoffMs: number;
  maxBackoffMs: number;
}

export const defaultDeliveryPolicy: DeliveryPolicy = {
  maxAttempts: 5,
  baseBackoffMs: 200,
  maxBackoffMs: 30_000,
};

export interface DeliveryCounters {
  delivered: number;
  retried: number;
  deadLettered: number;
}

/** Builds a connector from its kind and configuration (the connectors library's registry by default). */
export type ConnectorFactory = (kind: string, config: unknown) => Connector;

export interface ConnectorHandle {
  tenant: string;
  id: string;
  /** Kind and configuration as JSON: a change means a new connector. */
  fingerprint: string;
  connector: Connector;
}

export interface TenantChange {
  /** Started connectors that need a consumer. */
  added: ConnectorHandle[];
  /** Connectors to retire: stop their consumers, then `closeConnectors`. */
  removed: ConnectorHandle[];
}

/**
 * The delivery step: one consumer per connector takes action requests, sends them through the
 * connector, and acks only when the target confirmed. Retryable failures are retried with
 * exponential backoff and jitter; the last failure, or a permanent one, goes to the DLQ stream
 * with its code, and only then is the request acked.
 */
export class DeliveryStage {
  private readonly connectors = new Map<string, ConnectorHandle>();
  private readonly actions = new Map<string, Action>();
  readonly counters: DeliveryCounters = { delivered: 0, retried: 0, deadLettered: 0 };

  constructor(
    private readonly bus: Bus,
    private readonly subjects: Subjects,
    private readonly log: StageLogger,
    private readonly policy: DeliveryPolicy = defaultDeliveryPolicy,
    private readonly connectorFactory: ConnectorFactory = createConnector,
    private readonly metrics?: SluiceMetrics,
    private readonly usage?: UsageMeter,
  ) {}

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
    const actions = new Map<string, Action>();
    try {
      for (const def of tenant?.connectors ?? []) {
        const fingerprint = JSON.stringify([def.kind, def.config]);
        const existing = this.connectors.get(`${tenantId}/${def.id}`);
        if (existing?.fingerprint === fingerprint) {
          next.set(def.id, existing);
          continue;
        }
        const handle = {
          tenant: tenantId,
          id: def.id,
          fingerprint,
          connector: this.connectorFactory(def.kind, def.config),
        };
        created.push(handle);
        next.set(def.id, handle);
      }
      for (const rule of tenant?.rules ?? []) {
        for (const action of rule.actions) {
          const handle = next.get(action.connector);
          if (!handle)
            throw new Error(
              `action '${action.id}' of rule '${rule.id}': unknown connector '${action.connector}'`,
            );
          actions.set(actionKey(tenantId, rule.id, action.id), handle.connector.createAction(action.config));
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

  /** Handles one ACTIONS message: never throws; acks, naks with backoff, or dead-letters. */
  async handle(message: BusMessage): Promise<void> {
    let request: ActionRequest;
    try {
      request = decodeActionRequest(message.data);
    } catch (error) {
      this.log.error(`undecodable ACTIONS message ${message.msgId}: ${describeError(error).message}`);
      await this.deadLetterRaw(message, 'ACTION_REQUEST_UNDECODABLE', describeError(error).message);
      return;
    }
    const action = this.actions.get(actionKey(request.tenant, request.ruleId, request.actionId));
    const labels = { tenant: request.tenant, connector: request.connectorId, action: request.actionId };
    const outcome: DeliveryOutcome = action
      ? await this.sendCounted(action, request)
      : { ok: false, retryable: false, code: 'ACTION_NOT_FOUND', message: `no action '${request.actionId}'` };
    if (outcome.ok) {
      this.counters.delivered++;
      this.usage?.record(request.tenant);
      this.metrics?.actionSuccess.inc(labels);
      if (request.createdAt > 0) {
        this.metrics?.actionLatency.observe(
          { tenant: request.tenant, connector: request.connectorId },
          (Date.now() - request.createdAt) / 1000,
        );
      }
      await message.ack();
      return;
    }
    this.metrics?.actionFailed.inc({ ...labels, code: outcome.code });
    if (outcome.retryable && message.deliveryCount < this.policy.maxAttempts) {
      this.counters.retried++;
      this.metrics?.actionRetried.inc(labels);
      message.nak(this.backoff(message.deliveryCount));
      return;
    }
    await this.deadLetter(message, request, outcome.code, outcome.message);
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.connectors.values()].map((h) => h.connector.close()));
  }

  private async sendCounted(action: Action, request: ActionRequest): Promise<DeliveryOutcome> {
    const labels = { tenant: request.tenant, connector: request.connectorId };
    this.metrics?.actionInflight.inc(labels);
    try {
      return await this.send(action, request);
    } finally {
      this.metrics?.actionInflight.dec(labels);
    }
  }

  private async send(action: Action, request: ActionRequest): Promise<DeliveryOutcome> {
    let data: Record<string, unknown>;
    try {
      data = JSON.parse(Buffer.from(request.data).toString('utf8')) as Record<string, unknown>;
    } catch (error) {
      return { ok: false, retryable: false, code: 'ACTION_DATA_INVALID', message: (error as Error).message };
    }
    const [outcome] = await action.send([{ id: request.id, data, headers: request.trace }]);
    return (
      outcome ?? {
        ok: false,
        retryable: true,
        code: 'DELIVERY_NO_OUTCOME',
        message: 'connector gave no outcome',
      }
    );
  }

  private backoff(attempt: number): number {
    const ceiling = Math.min(this.policy.maxBackoffMs, this.policy.baseBackoffMs * 2 ** (attempt - 1));
    return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
  }

  private async deadLetter(message: BusMessage, request: ActionRequest, code: string, reason: string) {
    const data = encodeDeadLetter({
      request,
      errorCode: code,
      errorMessage: reason,
      attempts: message.deliveryCount,
      failedAt: Date.now(),
    });
    const subject = this.subjects.dlq(request.tenant, request.connectorId);
    await this.storeDeadLetter(message, subject, data, code, reason, () => {
      // why: an action that ran out of attempts was executed too, and counts for usage
      this.usage?.record(request.tenant);
      this.metrics?.actionDeadLettered.inc({ tenant: request.tenant, connector: request.connectorId, code });
    });
  }

  private async deadLetterRaw(message: BusMessage, code: string, reason: string) {
    const data = encodeDeadLetter({
      errorCode: code,
      errorMessage: reason,
      attempts: message.deliveryCount,
      failedAt: Date.now(),
    });
    await this.storeDeadLetter(message, this.subjects.dlq('_', '_'), data, code, reason);
  }

  private async storeDeadLetter(
    message: BusMessage,
    subject: string,
    data: Uint8Array,
    code: string,
    reason: string,
    onStored?: () => void,
  ) {
    try {
      await this.bus.publish(subject, data, { msgId: `dlq:${message.msgId}` });
    } catch (error) {
      // why: never ack what is neither delivered nor dead-lettered; try again later
      this.log.warn(`could not store dead letter for ${message.msgId}: ${describeError(error).message}`);
      message.nak(this.policy.maxBackoffMs);
      return;
    }
    this.counters.deadLettered++;
    onStored?.();
    this.log.warn(
      `dead-lettered ${message.msgId} after ${message.deliveryCount} attempt(s): ${code}: ${reason}`,
    );
    await message.ack();
  }
}

function actionKey(tenant: string, rule: string, action: string): string {
  return `${tenant}/${rule}/${action}`;
}
