import type { Headers } from '../bus';
import { BusFullError } from '../errors';
import type { StreamLimits } from '../stream-limits';
import type { StreamLog } from './sqlite-bus-store';

export interface StoredMessage {
  readonly seq: number;
  readonly subject: string;
  readonly data: Uint8Array;
  readonly headers: Readonly<Headers>;
  readonly msgId: string;
  readonly storedAt: number;
  readonly size: number;
}

/** What the stream keeps in memory of a stored message; the body only while there is room. */
interface Entry {
  readonly seq: number;
  readonly subject: string;
  readonly storedAt: number;
  readonly size: number;
  body?: { data: Uint8Array; headers: Headers; msgId: string };
}

const RESOLVED = Promise.resolve();

/**
 * One stream with JetStream's limits: size and count bounds with discard-new or discard-old, max
 * age, and Nats-Msg-Id de-duplication within a window. With a log (SLUICE_BUS_STORAGE=file) every
 * message is on disk before its publish is confirmed and before any consumer sees it; memory holds
 * an index entry per message and the bodies of at most `memoryMaxBytes` (the rest is read back
 * from the log on delivery). Without a log it is all in memory.
 */
export class InProcessStream {
  private readonly messages = new Map<number, Entry>();
  /** msgId -> time it was first stored; Map keeps insertion order, so expiry scans from the front. */
  private readonly recentIds = new Map<string, number>();
  /** Publishes waiting for their commit: counted against the limits and the duplicate window. */
  private readonly committing = new Set<string>();
  private committingBytes = 0;
  private nextSeq = 1;
  private bytes = 0;
  private bodyBytes = 0;
  /** Interned subjects: a backlog of millions shares a few hundred subject strings. */
  private readonly subjects = new Map<string, string>();

  constructor(
    readonly name: string,
    readonly limits: StreamLimits,
    private readonly onStored: (message: { seq: number; subject: string }) => void,
    private readonly onRemoved: (seq: number) => void = () => {},
    private readonly log?: StreamLog,
    private readonly memoryMaxBytes = Number.POSITIVE_INFINITY,
  ) {}

  get size(): { messages: number; bytes: number } {
    return { messages: this.messages.size, bytes: this.bytes };
  }

  /** Reads back what the log holds (at start, before any publish); returns the message count. */
  load(now = Date.now()): number {
    if (!this.log) return 0;
    const { entries, lastSeq } = this.log.load();
    for (const e of entries) {
      this.messages.set(e.seq, {
        seq: e.seq,
        subject: this.intern(e.subject),
        storedAt: e.storedAt,
        size: e.size,
      });
      this.bytes += e.size;
      if (now - e.storedAt < this.limits.duplicateWindowMs) this.recentIds.set(e.msgId, e.storedAt);
    }
    this.nextSeq = Math.max(lastSeq, entries.at(-1)?.seq ?? 0) + 1;
    return entries.length;
  }

  /**
   * Stores the message; resolves true once stored (on disk with a log), false for a duplicate id;
   * rejects with BusFullError when full (discard-new) or when the disk is full.
   */
  async store(subject: string, data: Uint8Array, msgId: string, headers: Headers): Promise<boolean> {
    const now = Date.now();
    this.expire(now);
    if (this.recentIds.has(msgId) || this.committing.has(msgId)) return false;
    const size = data.byteLength + subject.length + msgId.length + headerSize(headers);
    if (!this.makeRoom(size)) {
      throw new BusFullError(
        `stream ${this.name} is full (${this.messages.size + this.committing.size} messages, ` +
          `${this.bytes + this.committingBytes} bytes; limits ${this.limits.maxMsgs} messages, ` +
          `${this.limits.maxBytes} bytes)`,
      );
    }
    const seq = this.nextSeq++;
    if (this.log) {
      this.committing.add(msgId);
      this.committingBytes += size;
      try {
        await this.log.append({ seq, subject, msgId, storedAt: now, size, headers, data });
      } finally {
        this.committing.delete(msgId);
        this.committingBytes -= size;
      }
    }
    const entry: Entry = { seq, subject: this.intern(subject), storedAt: now, size };
    if (this.bodyBytes + size <= this.memoryMaxBytes) {
      entry.body = { data, headers, msgId };
      this.bodyBytes += size;
    }
    this.messages.set(seq, entry);
    this.bytes += size;
    this.recentIds.set(msgId, now);
    this.onStored(entry);
    return true;
  }

  has(seq: number): boolean {
    return this.messages.has(seq);
  }

  /** A stored message with its body (read from the log when memory does not hold it). */
  get(seq: number): StoredMessage | undefined {
    const entry = this.messages.get(seq);
    if (!entry) return undefined;
    const body = entry.body ?? this.log?.read(seq);
    if (!body) return undefined;
    return { ...body, seq, subject: entry.subject, storedAt: entry.storedAt, size: entry.size };
  }

  /** Every message still stored, oldest first (a new consumer starts from these). */
  all(): IterableIterator<{ seq: number; subject: string }> {
    return this.messages.values();
  }

  /** Removes a message (acked on a work queue, expired, discarded); resolves once the log has it. */
  remove(seq: number): Promise<void> {
    const entry = this.messages.get(seq);
    if (!entry) return RESOLVED;
    this.messages.delete(seq);
    this.bytes -= entry.size;
    if (entry.body) this.bodyBytes -= entry.size;
    this.onRemoved(seq);
    return this.log ? this.log.remove(seq) : RESOLVED;
  }

  expire(now = Date.now()): void {
    for (const [id, at] of this.recentIds) {
      if (now - at < this.limits.duplicateWindowMs) break;
      this.recentIds.delete(id);
    }
    for (const message of this.messages.values()) {
      if (now - message.storedAt < this.limits.maxAgeMs) break;
      void this.remove(message.seq).catch(() => undefined);
    }
  }

  private makeRoom(size: number): boolean {
    const fits = () =>
      this.messages.size + this.committing.size + 1 <= this.limits.maxMsgs &&
      this.bytes + this.committingBytes + size <= this.limits.maxBytes;
    if (fits()) return true;
    if (this.limits.discard === 'new' || size > this.limits.maxBytes) return false;
    for (const message of this.messages.values()) {
      // why ignore the promise: a failed removal is retried by the log until it is written
      void this.remove(message.seq).catch(() => undefined);
      if (fits()) return true;
    }
    return fits();
  }

  private intern(subject: string): string {
    const known = this.subjects.get(subject);
    if (known !== undefined) return known;
    if (this.subjects.size < 10_000) this.subjects.set(subject, subject);
    return subject;
  }
}

function headerSize(headers: Headers): number {
  let size = 0;
  for (const key in headers) size += key.length + (headers[key]?.length ?? 0);
  return size;
}
