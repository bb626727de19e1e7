import type { JsMsg } from 'nats';
import type { BusMessage, Headers } from '../bus';
import type { ReplyWindow } from './reply-window';

export const MSG_ID_HEADER = 'Nats-Msg-Id';
const ACK = new TextEncoder().encode('+ACK');

/** A JetStream message behind the BusMessage interface; headers are converted only when read. */
export class JetStreamMessage implements BusMessage {
  private converted?: Headers;
  /** Like nats.js: only the first of ack, nak and term counts. */
  private settled = false;

  constructor(
    private readonly msg: JsMsg,
    private readonly acks: ReplyWindow,
  ) {}

  get subject(): string {
    return this.msg.subject;
  }

  get data(): Uint8Array {
    return this.msg.data;
  }

  get msgId(): string {
    return this.msg.headers?.get(MSG_ID_HEADER) ?? '';
  }

  get deliveryCount(): number {
    // nats.js names it redeliveryCount, but it is the server's delivery count (1 on the first)
    return this.msg.info.redeliveryCount;
  }

  get headers(): Readonly<Headers> {
    if (!this.converted) {
      const result: Headers = {};
      const hdrs = this.msg.headers;
      if (hdrs) {
        for (const key of hdrs.keys()) {
          if (!key.startsWith('Nats-')) result[key] = hdrs.get(key);
        }
      }
      this.converted = result;
    }
    return this.converted;
  }

  async ack(): Promise<void> {
    if (this.settled) return;
    this.settled = true;
    // why a confirmed ack: resolve only once the server applied it, so a crash after this cannot
    // redeliver; through the reply window rather than ackAck(), which costs a timer and a mux entry each
    // the ack subject is public on nats.js's JsMsgImpl, though not on the JsMsg interface
    const reply = (this.msg as JsMsg & { reply?: string }).reply;
    if (reply) await this.acks.request(reply, ACK);
    else await this.msg.ackAck();
  }

  nak(delayMs?: number): void {
    if (this.settled) return;
    this.settled = true;
    this.msg.nak(delayMs);
  }

  term(): void {
    if (this.settled) return;
    this.settled = true;
    this.msg.term();
  }

  working(): void {
    this.msg.working();
  }
}
