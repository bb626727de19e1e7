import type { ConsumerMessages, JetStreamClient, JsMsg } from 'nats';
import { describeError } from '@sluice/errors';
import type { Consumption, MessageHandler } from '../bus';
import type { BusLogger } from '../bus-logger';
import { JetStreamMessage } from './jetstream-message';
import type { ReplyWindow } from './reply-window';

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
    this.messages?.stop();
    await this.loop;
    await Promise.allSettled([...this.inFlight]);
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
        this.dispatch(msg);
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
