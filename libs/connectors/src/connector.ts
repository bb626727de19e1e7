import type { Endpoint, TargetPolicy } from './targets/target-policy';

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

/** What the installation tells a connector beyond its configuration. */
export interface ConnectorOptions {
  /**
   * The target policy of a tenant's connector, checked on the resolved addresses each time it
   * connects (and before deliveries, at most every few seconds). None: the operator's connector.
   */
  targets?: TargetPolicy;
  /**
   * Why a subject may not be published to (the service bus's own: `$JS.`, `$KV.`, `$SYS`,
   * `_INBOX`, Sluice's), or undefined. NATS connectors ask it for every rendered subject.
   */
  reservedSubject?: (subject: string) => string | undefined;
}

export interface Connector {
  readonly kind: string;
  /** Opens connections. Failing to connect is not an error here: status() says it. */
  start(): Promise<void>;
  status(): ConnectorStatus;
  /** Tries the connection now and answers what it found. */
  testConnection(): Promise<ConnectorStatus>;
  /** Where it connects (hosts and ports); drivers built on BaseConnector say, test doubles may not. */
  endpoints?(): Endpoint[];
  /** Validates `config` (throws a BAD_INPUT SluiceError naming the field) and builds an action. */
  createAction(config: unknown): Action;
  close(): Promise<void>;
}
