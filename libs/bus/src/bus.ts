/**
 * The bus is how the services talk: durable streams (INGEST, ACTIONS, DLQ) and plain notifications
 * (usage, status, metrics, rule taps and traces). Two implementations share this interface: JetStream for the mesh and an
 * in-process one for the embedded mode. Subjects come only from `subjects.ts`.
 */
export type StreamName = 'INGEST' | 'ACTIONS' | 'DLQ';

export type Headers = Record<string, string>;

export interface PublishOptions {
  /** Stable id used for de-duplication (JetStream `Nats-Msg-Id`). */
  msgId: string;
  /** Extra headers, e.g. `traceparent`. */
  headers?: Headers;
}

export interface BusMessage {
  readonly subject: string;
  readonly data: Uint8Array;
  readonly headers: Readonly<Headers>;
  /** The id given at publish time. */
  readonly msgId: string;
  /** 1 on the first delivery, 2 on the first redelivery, ... */
  readonly deliveryCount: number;
  /** Done: the message will not be delivered again. Resolves once the server has the ack. */
  ack(): Promise<void>;
  /** Not done: deliver again after `delayMs` (or the consumer's default). */
  nak(delayMs?: number): void;
  /** Never deliver again (the caller has dead-lettered it). */
  term(): void;
  /** Still working: extends the ack deadline. */
  working(): void;
}

export interface ConsumerOptions {
  stream: StreamName;
  /** Durable consumer name; replicas using the same name share the work. */
  durable: string;
  /** Subject filter, from `subjects`. */
  filterSubject: string;
  /** In-flight window: messages handed out and not yet acked. */
  maxAckPending?: number;
  /** Redelivery after this long without an ack. */
  ackWaitMs?: number;
  /** Deliveries before the server gives up (the consumer dead-letters before that). */
  maxDeliver?: number;
}

export type MessageHandler = (message: BusMessage) => Promise<void>;

export interface Consumption {
  /** Stops taking new messages and waits for the handlers in flight. */
  stop(): Promise<void>;
}

export interface StreamStats {
  messages: number;
  bytes: number;
  maxMessages: number;
  maxBytes: number;
}

/** A durable consumer's state (JetStream consumer info; the in-process bus keeps the same counts). */
export interface ConsumerStats {
  /** The durable name (`rules`, `delivery_<tenant>_<connector>`). */
  name: string;
  /** Stored messages this consumer has not delivered yet. */
  pending: number;
  /** Delivered and not acknowledged yet (includes those waiting to be redelivered). */
  ackPending: number;
  /** Of the ack-pending ones, those delivered more than once. */
  redelivered: number;
  /** Deliveries so far, redeliveries included (the consumer sequence). */
  delivered: number;
  /** Deliveries acknowledged (or terminated) so far: the ack floor. */
  acknowledged: number;
}

/** What a durable consumer still has to do: its queue, in Sluice terms (an action queue on ACTIONS). */
export interface ConsumerBacklog {
  /** Stored, matching its filter, not yet delivered. */
  pending: number;
  /** Delivered and not yet acknowledged (being handled, or waiting out a nak delay). */
  ackPending: number;
}

/** A message as a stream stores it (what a reader of the stream, not a consumer, sees). */
export interface StoredBusMessage {
  /** The stream sequence: stable while the message is stored. */
  readonly seq: number;
  readonly subject: string;
  readonly data: Uint8Array;
}

export interface BusHealth {
  status: 'up' | 'down';
  detail?: string;
}

/** How batch publishers on a bus group messages unless told otherwise. */
export interface BatchingDefaults {
  /** See `BatchPublisherOptions.lingerMs`. */
  lingerMs: number;
}

export interface Bus {
  /** Batch publishers' defaults on this bus (JetStream: SLUICE_BUS_BATCH_LINGER_MS); none: no linger. */
  readonly batching?: BatchingDefaults;
  /** Connects and creates the streams (idempotent). */
  start(): Promise<void>;
  /** Stores a message in the stream that owns `subject`; resolves once it is stored. */
  publish(subject: string, data: Uint8Array, options: PublishOptions): Promise<void>;
  /** Creates (idempotently) a durable consumer and runs `handler` for every message. */
  consume(options: ConsumerOptions, handler: MessageHandler): Promise<Consumption>;
  /** Fire-and-forget notification (usage, status, metrics, rule taps and traces); not stored. */
  notify(subject: string, data: Uint8Array): Promise<void>;
  /** Receives notifications published with `notify`. Returns an unsubscribe function. */
  onNotify(subject: string, handler: (data: Uint8Array, subject: string) => void): () => void;
  health(): BusHealth;
  /** What a stream holds against its limits (metrics: a filling stream is backpressure building up). */
  streamStats?(name: StreamName): Promise<StreamStats>;
  /** The state of every durable consumer on a stream (metrics: where messages wait). */
  consumerStats?(name: StreamName): Promise<ConsumerStats[]>;
  /**
   * The backlog of a durable consumer (`durable` as given to {@link consume}), or undefined when no
   * consumer of that name exists yet. One server call: callers cache it, never ask per message.
   */
  consumerBacklog?(stream: StreamName, durable: string): Promise<ConsumerBacklog | undefined>;
  /**
   * Reads what a stream stores under `filterSubject`, oldest first, without consuming it (the DLQ's
   * list). At most `limit` messages.
   */
  storedMessages?(name: StreamName, filterSubject: string, limit: number): Promise<StoredBusMessage[]>;
  /** One stored message by sequence, or undefined when it is gone. */
  storedMessage?(name: StreamName, seq: number): Promise<StoredBusMessage | undefined>;
  /** Removes one stored message (a re-driven dead letter); false when it was already gone. */
  deleteStoredMessage?(name: StreamName, seq: number): Promise<boolean>;
  /** Stops consumers, flushes what is in flight and closes the connection. */
  close(): Promise<void>;
}
