import type { Action, Connector, ConnectorStatus, DeliveryOutcome, DeliveryRecord } from '../connector';
import { ConnectorUnavailableError, deliveryCodes } from '../errors';
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

  status(): ConnectorStatus {
    return this.current;
  }

  async start(): Promise<void> {
    if (this.closed) return;
    this.markConnecting();
    try {
      await this.connect();
      this.markConnected();
    } catch (error) {
      this.markDisconnected(errorMessage(error));
    }
  }

  async testConnection(): Promise<ConnectorStatus> {
    if (this.closed) return { state: 'disconnected', reason: 'closed' };
    try {
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
      return await run();
    } catch (error) {
      return allOf(records.length, this.outcomeOf(error));
    }
  }

  /** The outcome for an error the driver did not classify itself. */
  protected outcomeOf(error: unknown): DeliveryOutcome {
    const message = errorMessage(error);
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
