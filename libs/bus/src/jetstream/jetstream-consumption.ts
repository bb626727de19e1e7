import type { ConsumerMessages, JetStreamClient, JsMsg, Subscription } from 'nats';
import { describeError } from '@sluice/errors';
import type { Consumption, MessageHandler } from '../bus';
import type { BusLogger } from '../bus-logger';
import { JetStreamMessage } from './jetstream-message';
import type { ReplyWindow } from './reply-window';

const DRAIN_TIMEOUT_MS = 2_000;

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
  ) {}

  async start(): Promise<void> {
    const consumer = await this.js.consumers.get(this.stream, this.durable);
    this.messages = await consumer.consume({ max_messages: this.maxAckPending });
    this.loop = this.run(this.messages);
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    await this.drain();
    await this.loop;
    await Promise.allSettled([...this.inFlight]);
  }

  /**
   * Ends the pull subscription so that nothing the server already sent is lost: a plain
   * `messages.stop()` unsubscribes at once, and whatever was on the wire (delivered by the server,
   * so ack-pending) is dropped by the client and only comes back after the ack wait (30 s). Draining
   * unsubscribes, then flushes: messages sent before the server saw the unsubscribe still reach the
   * iterator, which yields them before it ends, and `run` naks them at once for another replica.
   */
  private async drain(): Promise<void> {
    // why the cast: nats.js 2.x keeps the consume() subscription internal, but it honours a drained
    // one (the iterator ends after the drained messages, as on a connection drain); the int-spec
    // "hands pulled messages back at once" pins this across nats.js upgrades
    const internal = this.messages as unknown as { sub?: Subscription } | undefined;
    const sub = internal?.sub;
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
          msg.nak();
          continue;
        }
        while (this.inFlight.size >= this.maxAckPending) await Promise.race(this.inFlight);
        if (this.stopping) msg.nak();
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
