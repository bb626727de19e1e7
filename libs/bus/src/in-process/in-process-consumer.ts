import type { BusMessage, ConsumerStats, MessageHandler } from '../bus';
import type { BusLogger } from '../bus-logger';
import { describeError } from '@sluice/errors';
import type { InProcessStream } from './in-process-stream';

export interface InProcessConsumerSettings {
  filterSubject: string;
  matches: (subject: string) => boolean;
  ackWaitMs: number;
  maxAckPending: number;
  /** -1: no limit. */
  maxDeliver: number;
}

interface PendingState {
  deliveries: number;
  /** Bumped on each delivery, so a late nak/timeout of an older delivery is ignored. */
  generation: number;
  queued: boolean;
  timer?: NodeJS.Timeout;
}

/** One handler attached to a durable consumer (a replica, in the mesh). */
export class Subscriber {
  readonly inFlight = new Set<Promise<void>>();
  active = true;
  constructor(
    readonly handler: MessageHandler,
    private readonly logger: BusLogger,
  ) {}

  run(message: BusMessage): void {
    const done = this.handler(message).then(
      () => {},
      (error: unknown) => {
        // why: a handler that throws has not done the work; redeliver rather than lose it
        this.logger.warn(`handler failed on ${message.msgId}, redelivering: ${describeError(error).message}`);
        message.nak();
      },
    );
    this.inFlight.add(done);
    void done.finally(() => this.inFlight.delete(done));
  }
}

/**
 * A durable consumer shared by name, with JetStream's pull-consumer semantics: at most
 * `maxAckPending` messages unacknowledged, redelivery after `ackWait` or on nak (with delay), a
 * `maxDeliver` bound, work split round-robin between the attached subscribers.
 */
export class InProcessConsumer {
  private readonly ready: number[] = [];
  private readonly redeliver: number[] = [];
  private readonly pending = new Map<number, PendingState>();
  private readonly subscribers: Subscriber[] = [];
  private nextSubscriber = 0;
  private delivered = 0;
  private acknowledged = 0;
  private pumpScheduled = false;
  private closed = false;

  constructor(
    readonly durable: string,
    public settings: InProcessConsumerSettings,
    private readonly stream: InProcessStream,
    private readonly removeOnAck: boolean,
  ) {}

  /** Queues a newly stored message (the stream calls this only for matching subjects). */
  offer(seq: number): void {
    this.ready.push(seq);
    this.schedulePump();
  }

  /** The stream dropped a message (age, discard-old): forget it. */
  forget(seq: number): void {
    const state = this.pending.get(seq);
    if (!state) return;
    clearTimeout(state.timer);
    this.pending.delete(seq);
    this.schedulePump();
  }

  attach(subscriber: Subscriber): void {
    this.subscribers.push(subscriber);
    this.schedulePump();
  }

  detach(subscriber: Subscriber): void {
    subscriber.active = false;
    const index = this.subscribers.indexOf(subscriber);
    if (index >= 0) this.subscribers.splice(index, 1);
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  /** The same counts as JetStream's consumer info (metrics). */
  stats(): ConsumerStats {
    let redelivered = 0;
    for (const state of this.pending.values()) if (state.deliveries > 1) redelivered++;
    return {
      name: this.durable,
      pending: this.ready.length,
      ackPending: this.pending.size,
      redelivered,
      delivered: this.delivered,
      acknowledged: this.acknowledged,
    };
  }

  /** Like JetStream's consumer info: not yet delivered, and delivered but not acknowledged. */
  get backlog(): { pending: number; ackPending: number } {
    // why filtered: `ready` may still list messages the stream dropped (limits, age)
    const pending = this.ready.filter((seq) => this.stream.has(seq)).length;
    return { pending, ackPending: this.pending.size };
  }

  close(): void {
    this.closed = true;
    for (const state of this.pending.values()) clearTimeout(state.timer);
  }

  private schedulePump(): void {
    if (this.pumpScheduled || this.closed) return;
    this.pumpScheduled = true;
    // why: never run handlers inside publish(); deliver on the next turn, like a server would
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    while (!this.closed && this.subscribers.length > 0) {
      const seq = this.next();
      if (seq === undefined) return;
      this.deliver(seq);
    }
  }

  private next(): number | undefined {
    while (this.redeliver.length > 0) {
      const seq = this.redeliver.shift()!;
      if (this.pending.has(seq)) return seq;
    }
    while (this.ready.length > 0 && this.pending.size < this.settings.maxAckPending) {
      const seq = this.ready.shift()!;
      if (this.stream.has(seq)) return seq;
    }
    return undefined;
  }

  private deliver(seq: number): void {
    const stored = this.stream.get(seq);
    if (!stored) {
      this.forget(seq);
      return;
    }
    const state = this.pending.get(seq) ?? { deliveries: 0, generation: 0, queued: false };
    state.deliveries++;
    this.delivered++;
    state.generation++;
    state.queued = false;
    this.pending.set(seq, state);
    this.arm(seq, state);
    const generation = state.generation;
    const subscriber = this.subscribers[this.nextSubscriber++ % this.subscribers.length]!;
    const message: BusMessage = {
      subject: stored.subject,
      data: stored.data,
      headers: stored.headers,
      msgId: stored.msgId,
      deliveryCount: state.deliveries,
      ack: () => this.finish(seq),
      nak: (delayMs?: number) => this.retry(seq, generation, delayMs ?? 0),
      term: () => {
        void this.finish(seq).catch(() => undefined);
      },
      working: () => {
        const current = this.pending.get(seq);
        if (current?.generation === generation && !current.queued) this.arm(seq, current);
      },
    };
    subscriber.run(message);
  }

  private arm(seq: number, state: PendingState): void {
    clearTimeout(state.timer);
    const generation = state.generation;
    state.timer = setTimeout(() => this.retry(seq, generation, 0), this.settings.ackWaitMs);
    state.timer.unref();
  }

  /** Ack or term: done with the message for good; resolves once the removal is stored. */
  private finish(seq: number): Promise<void> {
    const state = this.pending.get(seq);
    if (!state) return Promise.resolve();
    clearTimeout(state.timer);
    this.pending.delete(seq);
    this.acknowledged++;
    this.schedulePump();
    return this.removeOnAck ? this.stream.remove(seq) : Promise.resolve();
  }

  private retry(seq: number, generation: number, delayMs: number): void {
    const state = this.pending.get(seq);
    if (!state || state.generation !== generation || state.queued) return;
    clearTimeout(state.timer);
    const { maxDeliver } = this.settings;
    if (maxDeliver > 0 && state.deliveries >= maxDeliver) {
      // why: like JetStream, the message stays stored but this consumer stops offering it
      this.pending.delete(seq);
      this.schedulePump();
      return;
    }
    state.queued = true;
    const requeue = () => {
      if (this.pending.get(seq) !== state) return;
      this.redeliver.push(seq);
      this.schedulePump();
    };
    if (delayMs > 0) {
      state.timer = setTimeout(requeue, delayMs);
      state.timer.unref();
    } else {
      requeue();
    }
  }
}
