import type { Headers } from '../bus';
import { BusFullError } from '../errors';
import type { StreamLimits } from '../stream-limits';

export interface StoredMessage {
  readonly seq: number;
  readonly subject: string;
  readonly data: Uint8Array;
  readonly headers: Readonly<Headers>;
  readonly msgId: string;
  readonly storedAt: number;
  readonly size: number;
}

/**
 * One stream kept in memory, with JetStream's limits: size and count bounds with discard-new or
 * discard-old, max age, and Nats-Msg-Id de-duplication within a window.
 */
export class InProcessStream {
  private readonly messages = new Map<number, StoredMessage>();
  /** msgId -> time it was first stored; Map keeps insertion order, so expiry scans from the front. */
  private readonly recentIds = new Map<string, number>();
  private nextSeq = 1;
  private bytes = 0;

  constructor(
    readonly name: string,
    readonly limits: StreamLimits,
    private readonly onStored: (message: StoredMessage) => void,
    private readonly onRemoved: (seq: number) => void = () => {},
  ) {}

  get size(): { messages: number; bytes: number } {
    return { messages: this.messages.size, bytes: this.bytes };
  }

  /** Stores the message; returns false for a duplicate id, throws BusFullError when full (discard-new). */
  store(subject: string, data: Uint8Array, msgId: string, headers: Headers): boolean {
    const now = Date.now();
    this.expire(now);
    if (this.recentIds.has(msgId)) return false;
    const size = data.byteLength + subject.length + msgId.length + headerSize(headers);
    if (!this.makeRoom(size)) {
      throw new BusFullError(
        `stream ${this.name} is full (${this.messages.size} messages, ${this.bytes} bytes; limits ` +
          `${this.limits.maxMsgs} messages, ${this.limits.maxBytes} bytes)`,
      );
    }
    const message: StoredMessage = {
      seq: this.nextSeq++,
      subject,
      data,
      headers,
      msgId,
      storedAt: now,
      size,
    };
    this.messages.set(message.seq, message);
    this.bytes += size;
    this.recentIds.set(msgId, now);
    this.onStored(message);
    return true;
  }

  get(seq: number): StoredMessage | undefined {
    return this.messages.get(seq);
  }

  /** Every message still stored, oldest first (a new consumer starts from these). */
  all(): IterableIterator<StoredMessage> {
    return this.messages.values();
  }

  /** Removes an acknowledged message (work-queue retention). */
  remove(seq: number): void {
    const message = this.messages.get(seq);
    if (!message) return;
    this.messages.delete(seq);
    this.bytes -= message.size;
    this.onRemoved(seq);
  }

  expire(now = Date.now()): void {
    for (const [id, at] of this.recentIds) {
      if (now - at < this.limits.duplicateWindowMs) break;
      this.recentIds.delete(id);
    }
    for (const message of this.messages.values()) {
      if (now - message.storedAt < this.limits.maxAgeMs) break;
      this.remove(message.seq);
    }
  }

  private makeRoom(size: number): boolean {
    const fits = () =>
      this.messages.size + 1 <= this.limits.maxMsgs && this.bytes + size <= this.limits.maxBytes;
    if (fits()) return true;
    if (this.limits.discard === 'new' || size > this.limits.maxBytes) return false;
    for (const message of this.messages.values()) {
      this.remove(message.seq);
      if (fits()) return true;
    }
    return fits();
  }
}

function headerSize(headers: Headers): number {
  let size = 0;
  for (const key in headers) size += key.length + (headers[key]?.length ?? 0);
  return size;
}
