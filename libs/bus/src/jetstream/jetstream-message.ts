import type { JsMsg } from 'nats';
import type { BusMessage, Headers } from '../bus';

export const MSG_ID_HEADER = 'Nats-Msg-Id';

/** A JetStream message behind the BusMessage interface; headers are converted only when read. */
export class JetStreamMessage implements BusMessage {
  private converted?: Headers;

  constructor(private readonly msg: JsMsg) {}

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
    // why ackAck: resolve only once the server recorded the ack, so a crash after this cannot redeliver
    await this.msg.ackAck();
  }

  nak(delayMs?: number): void {
    this.msg.nak(delayMs);
  }

  term(): void {
    this.msg.term();
  }

  working(): void {
    this.msg.working();
  }
}
