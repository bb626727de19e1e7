import type {
  Action,
  Connector,
  ConnectorOptions,
  ConnectorStatus,
  DeliveryOutcome,
  DeliveryRecord,
} from '../connector';
import { ConnectorTargetDeniedError, ConnectorUnavailableError, deliveryCodes } from '../errors';
import type { Endpoint } from '../targets/target-policy';
import { allOf, errorMessage, failed, isConnectionError, unavailable } from './outcomes';

/**
 * Status bookkeeping every driver shares: `start()` and `testConnection()` never throw, they set the
 * status; drivers report what real deliveries find through `markConnected` / `markDisconnected`,
 * so a target that rejects every write or goes away shows in `status()` without a health check.
 */
export abstract class BaseConnector implements Connector {
  abstract readonly kind: string;
  private current: ConnectorStatus = { state: 'disconnected', reason: 'not started' };
  protected closed = false;
  private targetCheck?: { at: number; result: Promise<void> };

  constructor(protected readonly options: ConnectorOptions = {}) {}

  status(): ConnectorStatus {
    return this.current;
  }

  async start(): Promise<void> {
    if (this.closed) return;
    this.markConnecting();
    try {
      await this.checkTargets();
      await this.connect();
      this.markConnected();
    } catch (error) {
      this.markDisconnected(errorMessage(error));
    }
  }

  async testConnection(): Promise<ConnectorStatus> {
    if (this.closed) return { state: 'disconnected', reason: 'closed' };
    try {
      await this.checkTargets();
      await this.probe();
      this.markConnected();
    } catch (error) {
      this.markDisconnected(errorMessage(error));
    }
    return this.current;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.disconnect();
    } finally {
      this.current = { state: 'disconnected', reason: 'closed' };
    }
  }

  abstract createAction(config: unknown): Action;
  /** Where the connector connects (hosts and ports), for the target policy of a tenant's connector. */
  abstract endpoints(): Endpoint[];
  /** Opens the connection or pool; throws when the target cannot be reached. */
  protected abstract connect(): Promise<void>;
  /** Checks the target now (a ping, `SELECT 1`, a TCP connect); throws when it is not usable. */
  protected abstract probe(): Promise<void>;
  protected abstract disconnect(): Promise<void>;

  protected markConnected(): void {
    if (!this.closed && this.current.state !== 'connected') this.current = { state: 'connected' };
  }

  protected markConnecting(): void {
    if (!this.closed) this.current = { state: 'connecting' };
  }

  protected markDisconnected(reason: string): void {
    if (!this.closed) this.current = { state: 'disconnected', reason };
  }

  /**
   * Runs a driver's batch delivery and keeps `send()`'s promise: it never throws. A connection
   * failure marks the connector disconnected and fails the batch as retryable.
   */
  protected async deliver(
    records: readonly DeliveryRecord[],
    run: () => Promise<DeliveryOutcome[]>,
  ): Promise<DeliveryOutcome[]> {
    if (records.length === 0) return [];
    if (this.closed) return allOf(records.length, failed(deliveryCodes.closed, 'connector closed', true));
    try {
      await this.checkTargets();
    } catch (error) {
      this.markDisconnected(errorMessage(error));
      return allOf(records.length, this.outcomeOf(error));
    }
    try {
      return await run();
    } catch (error) {
      return allOf(records.length, this.outcomeOf(error));
    }
  }

  /**
   * Checks the endpoints against the target policy (none for the operator's connectors): at start,
   * on a test, when a driver opens a connection, and before deliveries at most every
   * TARGET_RECHECK_MS, so a name that starts resolving to a denied address is caught.
   */
  protected checkTargets(): Promise<void> {
    const policy = this.options.targets;
    if (!policy) return Promise.resolve();
    const now = Date.now();
    if (!this.targetCheck || now - this.targetCheck.at > TARGET_RECHECK_MS) {
      const result = Promise.all(this.endpoints().map((e) => policy.check(e))).then(() => undefined);
      result.catch(() => undefined);
      this.targetCheck = { at: now, result };
    }
    return this.targetCheck.result;
  }

  /** The outcome for an error the driver did not classify itself. */
  protected outcomeOf(error: unknown): DeliveryOutcome {
    const message = errorMessage(error);
    if (error instanceof ConnectorTargetDeniedError) {
      this.markDisconnected(message);
      return failed(deliveryCodes.targetDenied, message, false);
    }
    if (isTimeout(error)) {
      this.markDisconnected(message);
      return failed(deliveryCodes.timeout, message, true);
    }
    if (isConnectionError(error) || error instanceof ConnectorUnavailableError) {
      this.markDisconnected(message);
      return unavailable(message);
    }
    // why retryable: an error we cannot classify is more likely transient than a property of the record
    return failed(deliveryCodes.failed, message, true);
  }
}

const TARGET_RECHECK_MS = 5_000;

/** Thrown by `withTimeout`; drivers map it to a retryable DELIVERY_TIMEOUT. */
export class DeliveryTimeoutError extends Error {
  readonly code = 'DELIVERY_TIMEOUT';
}

export function isTimeout(error: unknown): boolean {
  return (
    error instanceof DeliveryTimeoutError ||
    (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))
  );
}

/** Rejects with DeliveryTimeoutError when `promise` takes longer than `ms`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeliveryTimeoutError(`${what} timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * One shared client, created on first use and again after it is dropped; concurrent callers wait
 * for the same attempt instead of opening one connection each.
 */
export class ClientSlot<T> {
  private pending?: Promise<T>;

  constructor(
    private readonly open: () => Promise<T>,
    private readonly dispose: (client: T) => Promise<void>,
  ) {}

  get(): Promise<T> {
    this.pending ??= this.open().catch((error: unknown) => {
      this.pending = undefined;
      throw error;
    });
    return this.pending;
  }

  /** Forgets the client (after it failed) so the next `get()` opens a new one. */
  drop(client?: T): void {
    const pending = this.pending;
    this.pending = undefined;
    if (client !== undefined) void this.dispose(client).catch(() => undefined);
    else void pending?.then((c) => this.dispose(c)).catch(() => undefined);
  }

  async close(): Promise<void> {
    const pending = this.pending;
    this.pending = undefined;
    const client = await pending?.catch(() => undefined);
    if (client !== undefined) await this.dispose(client);
  }
}
