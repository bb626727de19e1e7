/**
 * One interface for every target system. A connector owns the connection (pool, client, producer);
 * an action built from it owns the templates that turn a rule's output into what the target takes.
 * Nothing here depends on Nest.
 */
export type ConnectorState = 'connected' | 'connecting' | 'disconnected';

export interface ConnectorStatus {
  state: ConnectorState;
  /** Why it is not connected (the last error), when it is not. */
  reason?: string;
}

/** One rule output to deliver. `id` is stable across retries, for idempotent writes. */
export interface DeliveryRecord {
  id: string;
  /** The rule's output: the selected fields, which templates read (`${payload.x}`, `${topic}`). */
  data: Record<string, unknown>;
  /**
   * The JSON text `data` was parsed from, when there is one: `${.}` renders it as it is instead of
   * serializing `data` again (the rule serialized it, delivery parsed it).
   */
  json?: string;
  /** Trace context to carry into the target (`traceparent`, ...). */
  headers?: Record<string, string>;
}

export type DeliveryOutcome = { ok: true } | { ok: false; retryable: boolean; code: string; message: string };

export interface Action {
  /** Delivers a batch; answers one outcome per record, in order. Never throws. */
  send(records: readonly DeliveryRecord[]): Promise<DeliveryOutcome[]>;
  /** Largest batch this action takes at once (1 where the target has no batches). */
  readonly maxBatchSize: number;
}

export interface Connector {
  readonly kind: string;
  /** Opens connections. Failing to connect is not an error here: status() says it. */
  start(): Promise<void>;
  status(): ConnectorStatus;
  /** Tries the connection now and answers what it found. */
  testConnection(): Promise<ConnectorStatus>;
  /** Validates `config` (throws a BAD_INPUT SluiceError naming the field) and builds an action. */
  createAction(config: unknown): Action;
  close(): Promise<void>;
}
