import type { Bus, BusMessage, Headers } from './bus';
import {
  BATCH_HEADER,
  decodeActionRequest,
  decodeActionRequestBatch,
  decodeIngestBatch,
  decodeIngestEnvelope,
  encodeActionRequestBatch,
  encodeIngestBatch,
  type ActionRequest,
  type IngestEnvelope,
} from './envelope-codec';

export interface BatchPublisherOptions {
  /** Most messages in one JetStream message. */
  maxMessages?: number;
  /** Rough cap on a batch's encoded size; stay well under NATS max_payload (1 MiB by default). */
  maxBytes?: number;
  /** Batches of one subject being stored at once; while all are busy, new messages gather. */
  maxInFlight?: number;
  /**
   * After a batch of a subject leaves, the next one leaves no sooner than this many ms later unless
   * it is full (maxMessages or maxBytes): under load envelopes grow, while a message arriving after a
   * quiet spell still leaves at the end of its turn. Default: the bus's `batching.lingerMs`, else 0.
   */
  lingerMs?: number;
  /** Called with the number of messages of each batch sent (the batch-size histogram in /metrics). */
  onBatch?: (messages: number) => void;
}

interface Entry<T> {
  item: T;
  size: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

interface Lane<T> {
  subject: string;
  pending: Entry<T>[];
  /** Estimated bytes of `pending`. */
  pendingBytes: number;
  inFlight: number;
  scheduled: boolean;
  /** The linger timer, when the next send waits for it. */
  timer?: NodeJS.Timeout;
  /** When the last batch left (performance.now()). */
  lastSent: number;
}

/**
 * Carries several messages in one JetStream message (docs/architecture.md, ADR 0003) by group
 * commit: a message goes out at the end of the event-loop turn it arrived in when a slot is free
 * (with everything else that arrived in that turn), and messages arriving while every slot is busy
 * travel together in the next batch. Light traffic sees no added latency; heavy traffic
 * pays the server's per-message cost once per batch. Each message keeps its own id inside.
 * With `lingerMs`, a lane that sent a batch less than `lingerMs` ago waits out the rest of it before
 * sending a batch that is not full (ADR 0008): JetStream's cost is per envelope, so under load
 * fewer, larger envelopes cost the server and the consumers less, for at most `lingerMs` more latency.
 */
export class BatchPublisher<T extends { id: string }> {
  private readonly lanes = new Map<string, Lane<T>>();
  private readonly maxMessages: number;
  private readonly maxBytes: number;
  private readonly maxInFlight: number;
  private readonly lingerMs: number;
  private readonly onBatch?: (messages: number) => void;

  constructor(
    private readonly bus: Bus,
    private readonly encode: (items: T[]) => Uint8Array,
    private readonly sizeOf: (item: T) => number,
    options: BatchPublisherOptions = {},
  ) {
    this.maxMessages = options.maxMessages ?? 100;
    this.maxBytes = options.maxBytes ?? 256 * 1024;
    this.maxInFlight = options.maxInFlight ?? 2;
    this.lingerMs = options.lingerMs ?? bus.batching?.lingerMs ?? 0;
    this.onBatch = options.onBatch;
  }

  /** Resolves once the batch holding `item` is stored; rejects with that batch's error. */
  publish(subject: string, item: T): Promise<void> {
    let lane = this.lanes.get(subject);
    if (!lane) {
      lane = { subject, pending: [], pendingBytes: 0, inFlight: 0, scheduled: false, lastSent: -Infinity };
      this.lanes.set(subject, lane);
    }
    const target = lane;
    return new Promise<void>((resolve, reject) => {
      const size = this.sizeOf(item);
      target.pending.push({ item, size, resolve, reject });
      target.pendingBytes += size;
      this.schedule(target);
    });
  }

  /**
   * Arranges the lane's next send: at the end of this event-loop turn when a slot is free and the
   * lane is full or has not sent for `lingerMs`, else when the linger is over (or a slot frees).
   */
  private schedule(lane: Lane<T>): void {
    if (lane.scheduled || lane.inFlight >= this.maxInFlight || lane.pending.length === 0) return;
    const wait = this.full(lane) ? 0 : lane.lastSent + this.lingerMs - performance.now();
    if (wait > 0) {
      lane.timer ??= setTimeout(() => {
        lane.timer = undefined;
        this.schedule(lane);
      }, wait);
      return;
    }
    lane.scheduled = true;
    // why the end of the event-loop turn, not a microtask: a socket read holds many messages,
    // which reach here in separate ticks; a microtask sent most of them alone (batches of one at
    // 5,000 msg/s in bench:flow), paying a JetStream round trip and ~15 µs of server CPU each
    setImmediate(() => {
      lane.scheduled = false;
      this.drain(lane);
    });
  }

  private full(lane: Lane<T>): boolean {
    return lane.pending.length >= this.maxMessages || lane.pendingBytes >= this.maxBytes;
  }

  private drain(lane: Lane<T>): void {
    if (lane.timer) {
      clearTimeout(lane.timer);
      lane.timer = undefined;
    }
    while (lane.inFlight < this.maxInFlight && lane.pending.length > 0) {
      // while lingering, only full batches leave
      if (this.lingerMs > 0 && !this.full(lane) && performance.now() - lane.lastSent < this.lingerMs) break;
      const batch = this.take(lane);
      lane.lastSent = performance.now();
      lane.inFlight++;
      const items = batch.map((e) => e.item);
      this.onBatch?.(items.length);
      const headers: Headers = { [BATCH_HEADER]: String(items.length) };
      // why this id: a retry of the same batch is dropped by the stream; the ids inside cover the rest
      const msgId = `batch:${items[0]!.id}:${items[items.length - 1]!.id}:${items.length}`;
      let data: Uint8Array;
      try {
        data = this.encode(items);
      } catch (error) {
        lane.inFlight--;
        for (const entry of batch) entry.reject(error);
        continue;
      }
      this.bus.publish(lane.subject, data, { msgId, headers }).then(
        () => this.settle(lane, batch),
        (error: unknown) => this.settle(lane, batch, error),
      );
    }
  }

  private take(lane: Lane<T>): Entry<T>[] {
    let bytes = 0;
    let count = 0;
    for (const entry of lane.pending) {
      if (count >= this.maxMessages || (count > 0 && bytes + entry.size > this.maxBytes)) break;
      bytes += entry.size;
      count++;
    }
    lane.pendingBytes -= bytes;
    return lane.pending.splice(0, count);
  }

  private settle(lane: Lane<T>, batch: Entry<T>[], error?: unknown): void {
    lane.inFlight--;
    for (const entry of batch) {
      if (error === undefined) entry.resolve();
      else entry.reject(error);
    }
    this.drain(lane);
    this.schedule(lane);
    // why not while lingering: a lane made afresh would send its next message at once, alone
    const lingering = performance.now() - lane.lastSent < this.lingerMs;
    if (lane.inFlight === 0 && lane.pending.length === 0 && !lane.timer && !lane.scheduled && !lingering)
      this.lanes.delete(lane.subject);
  }
}

/**
 * A batch publisher for the INGEST stream.
 *
 * @example
 * const batches = createIngestBatchPublisher(bus);
 * await batches.publish(subjects.ingest(tenant, source), envelope); // then PUBACK the broker
 */
export function createIngestBatchPublisher(
  bus: Bus,
  options?: BatchPublisherOptions,
): BatchPublisher<IngestEnvelope> {
  return new BatchPublisher(bus, encodeIngestBatch, (e) => e.payload.length + e.topic.length + 96, options);
}

/** @example await createActionBatchPublisher(bus).publish(subjects.actions(tenant, connector), request); */
export function createActionBatchPublisher(
  bus: Bus,
  options?: BatchPublisherOptions,
): BatchPublisher<ActionRequest> {
  return new BatchPublisher(bus, encodeActionRequestBatch, (r) => r.data.length + 160, options);
}

/**
 * The ingested messages in a bus message, batched (BATCH_HEADER set) or single.
 *
 * @example for (const envelope of decodeIngestMessages(message)) handle(envelope);
 */
export function decodeIngestMessages(message: BusMessage): IngestEnvelope[] {
  return message.headers[BATCH_HEADER] !== undefined
    ? decodeIngestBatch(message.data)
    : [decodeIngestEnvelope(message.data)];
}

/** @example for (const request of decodeActionRequests(message)) deliver(request); */
export function decodeActionRequests(message: BusMessage): ActionRequest[] {
  return message.headers[BATCH_HEADER] !== undefined
    ? decodeActionRequestBatch(message.data)
    : [decodeActionRequest(message.data)];
}
