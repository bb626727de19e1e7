import { decodeActionRequest, encodeDeadLetter, type Bus, type Subjects } from '@sluice/bus';
import { describeError, SluiceError } from '@sluice/errors';
import type { SluiceMetrics } from '@sluice/telemetry';
import type { TenantDefinition } from '../pipeline-definition';
import type { StageLogger } from '../stage-logger';
import { splitQueueSettings, type ActionQueueSettings } from './queue-settings';

/** The durable ACTIONS consumer of a connector: its action queue (one per connector, see docs/delivery.md). */
export function deliveryDurable(tenant: string, connector: string): string {
  return `delivery_${tenant}_${connector}`;
}

/** Raised (as a rejected store) when a full queue's policy is backpressure: the INGEST message waits. */
export class ActionQueueFullError extends SluiceError {
  readonly code = 'ACTION_QUEUE_FULL';
  readonly category = 'UNAVAILABLE';
}

interface QueueState {
  tenant: string;
  connector: string;
  settings: ActionQueueSettings;
  /** Backlog the server reported at the last refresh (pending + ack pending); 0 before the first. */
  backlog: number;
  /** Requests let through whose publish is still running (maybe not in the server's count). */
  publishing: number;
  /** Requests stored since the last refresh began (not yet in `backlog`). */
  stored: number;
  /** Whether the consumer existed at the last refresh; without one nothing leaves the queue. */
  consumed: boolean;
  /** Mean encoded size of the requests seen (an EWMA): bytes are estimated, not measured. */
  meanBytes: number;
  full: boolean;
}

const EWMA = 0.05;

/**
 * Bounds each connector's action queue, for the rules stage: every request is published through
 * {@link admit}, which decides from a cache, never asking the server per request. The cache is the
 * consumer's backlog (JetStream num_pending + num_ack_pending, {@link Bus.consumerBacklog}),
 * refreshed every `refreshMs`, plus the requests published since and those being published. Bytes
 * are the backlog times the mean request size seen here (consumer info has no byte count). A
 * connector without a `queue` setting is not bounded here (the ACTIONS stream limits still apply).
 */
export class ActionQueueLimits {
  private readonly queues = new Map<string, QueueState>();
  private timer?: NodeJS.Timeout;
  private refreshing?: Promise<void>;
  private failing = false;

  constructor(
    private readonly bus: Bus,
    private readonly subjects: Subjects,
    private readonly log: StageLogger,
    private readonly refreshMs: number,
    private readonly metrics?: SluiceMetrics,
  ) {}

  /**
   * Takes a tenant's queue settings from its connectors' configs (validated there). A connector that
   * stays bounded keeps what is known of its queue, so a config change does not forget the backlog.
   */
  setTenant(tenant: TenantDefinition): void {
    const previous = new Map([...this.queues].filter(([, state]) => state.tenant === tenant.id));
    this.removeTenant(tenant.id);
    for (const connector of tenant.connectors) {
      const { queue } = splitQueueSettings(connector.config);
      if (!queue) continue;
      const key = `${tenant.id}/${connector.id}`;
      const kept = previous.get(key);
      if (kept) kept.settings = queue;
      this.queues.set(
        key,
        kept ?? {
          tenant: tenant.id,
          connector: connector.id,
          settings: queue,
          backlog: 0,
          publishing: 0,
          stored: 0,
          consumed: false,
          meanBytes: 0,
          full: false,
        },
      );
    }
  }

  removeTenant(tenantId: string): void {
    for (const [key, state] of this.queues) if (state.tenant === tenantId) this.queues.delete(key);
  }

  start(): void {
    if (this.timer || !this.bus.consumerBacklog) return;
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.refreshMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.refreshing;
  }

  /** Asks the bus for every bounded queue's backlog (one call per connector, in parallel). */
  refresh(): Promise<void> {
    this.refreshing ??= this.refreshAll().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  /**
   * Publishes one request (`data`, an encoded ActionRequest) to a connector's queue with `publish`, or
   * applies the queue's overflow policy when it is full: rejects with ActionQueueFullError
   * (`backpressure`), or dead-letters the request (`drop_new`; rejects if the DLQ refuses it).
   */
  admit(
    tenant: string,
    connector: string,
    action: string,
    data: Uint8Array,
    publish: () => Promise<void>,
  ): Promise<void> {
    const state = this.queues.get(`${tenant}/${connector}`);
    if (!state) return publish();
    state.meanBytes =
      state.meanBytes === 0 ? data.length : state.meanBytes + EWMA * (data.length - state.meanBytes);
    const queued = state.backlog + state.stored + state.publishing;
    const { maxMessages, maxBytes, overflow } = state.settings;
    const full =
      (maxMessages !== undefined && queued + 1 > maxMessages) ||
      (maxBytes !== undefined && queued * state.meanBytes + data.length > maxBytes);
    this.noteTransition(state, full);
    if (!full) {
      state.publishing++;
      return publish().then(
        () => {
          state.publishing--;
          state.stored++;
        },
        (error: unknown) => {
          state.publishing--;
          throw error;
        },
      );
    }
    const reason = `action queue of connector '${connector}' (tenant '${tenant}') is full: ~${queued} request(s)`;
    if (overflow === 'backpressure') {
      this.metrics?.actionQueueBackpressure.inc({ tenant, connector });
      return Promise.reject(new ActionQueueFullError(reason));
    }
    return this.deadLetter(tenant, connector, action, data, reason);
  }

  private async deadLetter(
    tenant: string,
    connector: string,
    action: string,
    data: Uint8Array,
    reason: string,
  ): Promise<void> {
    const request = decodeActionRequest(data);
    const letter = encodeDeadLetter({
      request,
      errorCode: 'ACTION_QUEUE_FULL',
      errorMessage: reason,
      attempts: 0,
      failedAt: Date.now(),
    });
    // why a rejection on failure: the INGEST message is then retried, so the request is never lost
    await this.bus.publish(this.subjects.dlq(tenant, connector), letter, { msgId: `dlq:${request.id}` });
    this.metrics?.actionDropped.inc({ tenant, connector, action, reason: 'queue_full' });
    this.metrics?.actionDeadLettered.inc({ tenant, connector, action, code: 'ACTION_QUEUE_FULL' });
  }

  private noteTransition(state: QueueState, full: boolean): void {
    if (full === state.full) return;
    state.full = full;
    const name = `action queue of connector '${state.connector}' (tenant '${state.tenant}')`;
    if (full) this.log.warn(`${name} is full, applying its overflow policy '${state.settings.overflow}'`);
    else this.log.log(`${name} has room again`);
  }

  private async refreshAll(): Promise<void> {
    const states = [...this.queues.values()];
    await Promise.all(
      states.map(async (state) => {
        // why a snapshot: only publishes finished before the call are surely in the server's answer
        const stored = state.stored;
        try {
          const backlog = await this.bus.consumerBacklog!(
            'ACTIONS',
            deliveryDurable(state.tenant, state.connector),
          );
          if (backlog) {
            state.backlog = backlog.pending + backlog.ackPending;
            state.stored -= stored;
            state.consumed = true;
          } else if (state.consumed) {
            // the consumer is gone (connector removed and re-added): start counting afresh
            state.backlog = 0;
            state.consumed = false;
          }
          // why no subtraction without a consumer: nothing leaves an unconsumed queue, so what was
          // stored keeps counting until delivery creates the consumer and reports the real backlog
          this.metrics?.actionQueueBacklog.set(
            { tenant: state.tenant, connector: state.connector },
            state.backlog + state.stored + state.publishing,
          );
          this.failing = false;
        } catch (error) {
          // why once: while NATS is down every refresh fails; one line says it, the next success clears it
          if (!this.failing)
            this.log.warn(
              `cannot read the action queue of '${state.tenant}/${state.connector}', keeping the last value: ${describeError(error).message}`,
            );
          this.failing = true;
        }
      }),
    );
  }
}
