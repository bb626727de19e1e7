export interface PendingAck {
  readonly packetId: number;
  readonly qos: 1 | 2;
  stored: boolean;
}

/**
 * Releases acknowledgements in the order the PUBLISH packets arrived (MQTT 3.1.1 and 5 §4.6 ask a
 * client to send PUBACK and PUBREC in that order), each only once its message is stored.
 * One window per network connection: after a reconnect the broker redelivers what was not
 * acknowledged, so the old window is dropped rather than flushed onto the new connection.
 */
export class AckWindow {
  private queue: PendingAck[] = [];
  private head = 0;

  constructor(private readonly send: (ack: PendingAck) => void) {}

  add(packetId: number, qos: 1 | 2): PendingAck {
    const ack: PendingAck = { packetId, qos, stored: false };
    this.queue.push(ack);
    return ack;
  }

  /** Marks `ack` stored and sends every stored acknowledgement at the head of the window. */
  stored(ack: PendingAck): void {
    ack.stored = true;
    while (this.head < this.queue.length) {
      const next = this.queue[this.head] as PendingAck;
      if (!next.stored) break;
      this.head += 1;
      this.send(next);
    }
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 1024) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  get pending(): number {
    return this.queue.length - this.head;
  }
}
