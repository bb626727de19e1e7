import type { ConsumerMessages, JetStreamClient, JsMsg, Subscription } from 'nats';
import { describeError } from '@sluice/errors';
import type { Consumption, MessageHandler } from '../bus';
import type { BusLogger } from '../bus-logger';
import { JetStreamMessage } from './jetstream-message';
import type { ReplyWindow } from './reply-window';

const DRAIN_TIMEOUT_MS = 2_000;
/** How long a stopping consumer waits for its open pull requests to be filled before unsubscribing. */
const STOP_GRACE_MS = 200;
/** Redelivery delay of what a stopping consumer hands back: past the grace, so not back to itself. */
const STOP_NAK_DELAY_MS = 2 * STOP_GRACE_MS;

/** nats.js 2.x internals of a consume() iterator that a clean stop needs (see `stop`). */
interface PullInternals {
  refilling?: boolean;
  sub?: Subscription;
}

/**
 * One running pull consumption: keeps up to `maxAckPending` messages buffered and runs the handler
 * for each without waiting for the previous one, at most `maxAckPending` at once.
 */
export class JetStreamConsumption implements Consumption {
  private readonly inFlight = new Set<Promise<void>>();
  private messages?: ConsumerMessages;
  private loop?: Promise<void>;
  private stopping = false;

  constructor(
    private readonly js: JetStreamClient,
    private readonly stream: string,
    private readonly durable: string,
    private readonly maxAckPending: number,
    private readonly handler: MessageHandler,
    private readonly logger: BusLogger,
    private readonly acks: ReplyWindow,
    private readonly pullExpiresMs: number,
  ) {}

  async start(): Promise<void> {
    const consumer = await this.js.consumers.get(this.stream, this.durable);
    // why a short expiry: pull requests left at a consumer leader that died are noticed only by
    // missed heartbeats (half the expiry, two of them); nats.js's 30 s default stalled a consumer
    // for ~50 s after the node leading it was killed (test/faults/nats-cluster.fault-spec.ts)
    this.messages = await consumer.consume({
      max_messages: this.maxAckPending,
      expires: this.pullExpiresMs,
    });
    this.loop = this.run(this.messages);
  }

  /**
   * Stops without leaving messages stranded until the ack wait (30 s). The server hands messages to
   * our open pull requests; one it sends after it processed our unsubscribe is dropped unseen, yet
   * stays ack-pending. So: first stop asking for more (no refill); pull requests that get filled end
   * by themselves, and nats.js then ends the iterator with nothing more on its way (the busy case).
   * If they are still open after a short grace (little traffic), drain the subscription: unsubscribe,
   * then flush, so what was sent before the unsubscribe still arrives. Everything that arrives while
   * stopping is nak'ed with a short delay, past the grace, so it goes to another replica, not back here.
   */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    // why the cast: nats.js 2.x keeps these internal; the int-spec "hands pulled messages back at
    // once" pins the behaviour across upgrades (without them, stop still works, only slower)
    const internals = this.messages as unknown as PullInternals | undefined;
    if (internals && typeof internals.refilling === 'boolean') internals.refilling = false;
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<'grace'>((resolve) => (timer = setTimeout(resolve, STOP_GRACE_MS, 'grace')));
    const outcome = await Promise.race([this.loop?.then(() => 'ended' as const), grace]);
    clearTimeout(timer);
    if (outcome !== 'ended') await this.drain(internals?.sub);
    await this.loop;
    await Promise.allSettled([...this.inFlight]);
  }

  private async drain(sub: Subscription | undefined): Promise<void> {
    if (sub && !sub.isClosed()) {
      // why a deadline: the drain's flush waits for the server, which may be unreachable right now
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<'timeout'>(
        (resolve) => (timer = setTimeout(resolve, DRAIN_TIMEOUT_MS, 'timeout')),
      );
      try {
        const outcome = await Promise.race([sub.drain().then(() => 'drained' as const), deadline]);
        if (outcome === 'drained') return;
        this.logger.warn(`consumer ${this.durable}: drain took over ${DRAIN_TIMEOUT_MS} ms, stopping`);
      } catch (error) {
        this.logger.warn(`consumer ${this.durable}: drain failed, stopping: ${describeError(error).message}`);
      } finally {
        clearTimeout(timer);
      }
    }
    this.messages?.stop();
  }

  private async run(messages: ConsumerMessages): Promise<void> {
    try {
      for await (const msg of messages) {
        if (this.stopping) {
          // why: hand it back now rather than after ackWait, so another replica takes it
          msg.nak(STOP_NAK_DELAY_MS);
          continue;
        }
        while (this.inFlight.size >= this.maxAckPending) await Promise.race(this.inFlight);
        if (this.stopping) msg.nak(STOP_NAK_DELAY_MS);
        else this.dispatch(msg);
      }
    } catch (error) {
      if (!this.stopping)
        this.logger.error(`consumer ${this.durable} stopped: ${describeError(error).message}`);
    }
  }

  private dispatch(msg: JsMsg): void {
    const message = new JetStreamMessage(msg, this.acks);
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
