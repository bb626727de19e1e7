import type { LookupFunction, Socket } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
/** MQTT 5 publish properties a source passes on; absent for MQTT 3.1 and 3.1.1. */
export interface IngestedMessageProperties {
  payloadFormatIndicator?: boolean;
  messageExpiryInterval?: number;
  contentType?: string;
  responseTopic?: string;
  correlationData?: Buffer;
  /** In the order the broker sent them; a key may repeat. */
  userProperties?: [string, string][];
}

/** One message a source received, handed to its sink. */
export interface IngestedMessage {
  /** Stable id: a redelivery of the same broker message gets the same id where the rule in docs/sources.md allows. */
  id: string;
  topic: string;
  payload: Buffer;
  qos: 0 | 1 | 2;
  retain: boolean;
  /** The broker marked this as a possible redelivery. */
  dup: boolean;
  /** Epoch milliseconds when the source read the message. */
  receivedAt: number;
  /** The publisher's client id, when the topic pattern or a user property carries it. */
  clientid?: string;
  /** The publisher's username, when the topic pattern or a user property carries it. */
  username?: string;
  properties?: IngestedMessageProperties;
}

/** Stores a message durably; resolves once stored, rejects if it could not store. */
export type MessageSink = (message: IngestedMessage) => Promise<void>;

export type DropReason = 'sink-failed' | 'overload' | 'stopping' | 'rejected';

export interface QosCounters {
  received: number;
  stored: number;
}

/** Counters of one connection, or of a whole source (the sum of its connections). */
export interface SourceMetrics {
  received: number;
  /** Bytes of the PUBLISH packets received (topic, properties and payload). */
  bytes: number;
  stored: number;
  /** PUBACK/PUBREC sent to the broker. */
  acked: number;
  /** QoS 0 messages that were not stored, by reason. */
  dropped: number;
  droppedByReason: Record<DropReason, number>;
  /** Sink rejections (each retry of a QoS 1/2 message counts). */
  sinkFailures: number;
  /** Messages handed to the sink and not yet settled. */
  inFlight: number;
  reconnects: number;
  byQos: Record<0 | 1 | 2, QosCounters>;
}

export interface ConnectionMetrics extends SourceMetrics {
  clientId: string;
  state: SourceState;
}

export type SourceState = 'connected' | 'connecting' | 'disconnected';

export interface SourceStatus {
  state: SourceState;
  /** Why the source is not connected (the last error), when it is not. */
  reason?: string;
  /** Connections currently connected. */
  connections: number;
}

/** Something a source reports as it happens; for logs, health and tests. */
export type SourceEvent =
  | { type: 'connected'; clientId: string; sessionPresent: boolean }
  | { type: 'disconnected'; clientId: string; reason?: string }
  | { type: 'reconnecting'; clientId: string; delayMs: number }
  | { type: 'subscribed'; clientId: string; filters: string[] }
  | {
      type: 'sink-failed';
      clientId: string;
      messageId: string;
      qos: 0 | 1 | 2;
      error: unknown;
      attempt: number;
    }
  | { type: 'dropped'; clientId: string; reason: DropReason; topic: string }
  | { type: 'paused'; clientId: string; reason: string }
  | { type: 'resumed'; clientId: string }
  /** A PINGRESP arrived; `paused` says the socket was held (keepalive kept despite backpressure). */
  | { type: 'keepalive'; clientId: string; paused: boolean };

export interface SourceLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Also the Nest `Logger`'s shape (`log` instead of `info`). */
export type LoggerLike =
  SourceLogger | { log(message: string): void; warn(message: string): void; error(message: string): void };

/**
 * The target policy of a tenant's source on a broker of its own (`TargetPolicy` of
 * `@sluice/connectors` has this shape): every connection resolves the broker's name once, checks
 * the addresses and connects only to those (DNS rebinding; docs/security.md).
 */
export interface SourceTargets {
  /** A `lookup` for sockets to `port` that answers only allowed addresses. */
  lookupFor(port: number): LookupFunction;
  /** The URLs with each host replaced by a checked address; `servername` for TLS. */
  pinUrls(urls: readonly string[], defaultPort: number): Promise<{ urls: string[]; servername?: string }>;
  /** A TCP (or TLS) socket to `target` that connects only to checked addresses (Kafka's socket factory). */
  socketTo(
    target: { host: string; port: number },
    tls: ConnectionOptions | undefined,
    onConnect?: () => void,
  ): Socket;
}

export interface SourceOptions {
  logger?: LoggerLike;
  onEvent?: (event: SourceEvent) => void;
  /** A tenant's source: where it may connect. None: the operator's (unrestricted). */
  targets?: SourceTargets;
}
