/** One record of a partition between "handed to the sink" and "committed". */
export interface TrackedOffset {
  readonly offset: string;
  done: boolean;
}

/**
 * The records of one partition in the order they were read. Only a prefix of stored records may be
 * committed: committing offset N tells Kafka every record before N is done, so one slow record holds
 * back the commits behind it and a crash re-reads instead of losing.
 */
export class OffsetTracker {
  private readonly queue: TrackedOffset[] = [];
  private head = 0;

  add(offset: string): TrackedOffset {
    const entry = { offset, done: false };
    this.queue.push(entry);
    return entry;
  }

  /** Records read and not yet past the committable prefix. */
  get size(): number {
    return this.queue.length - this.head;
  }

  /**
   * Removes the stored prefix and returns the offset to commit (the last stored one + 1), or
   * undefined when the oldest record is still pending. Offsets need not be contiguous (compaction,
   * transaction markers): the commit is the next offset after the last record we saw.
   */
  takeCommittable(): string | undefined {
    let last: TrackedOffset | undefined;
    while (this.head < this.queue.length && this.queue[this.head]!.done) {
      last = this.queue[this.head];
      this.head += 1;
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    return last === undefined ? undefined : (BigInt(last.offset) + 1n).toString();
  }
}
