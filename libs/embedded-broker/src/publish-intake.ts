import type { PublishPacket } from 'aedes';
import { Qlobber } from 'qlobber';

/** Stores a publish; resolves once stored. A rejection refuses the publish (no PUBACK/PUBREC). */
export type IntakeTake = (packet: PublishPacket) => Promise<void>;

/**
 * The takers of the publishes the broker receives, by topic filter, called before the publisher
 * is acknowledged: the embedded broker's path into ingest without a second MQTT hop.
 */
export class PublishIntake {
  // why qlobber: the matcher aedes itself uses (through mqemitter), with the same MQTT options
  private readonly takers = new Qlobber<IntakeTake>({
    separator: '/',
    wildcard_one: '+',
    wildcard_some: '#',
    match_empty_levels: true,
  });
  private count = 0;
  private inFlight = 0;
  private idleWaiters: (() => void)[] = [];
  private holds = 0;
  private held: (() => void)[] = [];

  /** Adds `take` for every filter; returns what removes it again. */
  add(filters: readonly string[], take: IntakeTake): () => void {
    for (const filter of filters) this.takers.add(filter, take);
    this.count += 1;
    let removed = false;
    return () => {
      if (removed) return;
      removed = true;
      for (const filter of filters) this.takers.remove(filter, take);
      this.count -= 1;
    };
  }

  /**
   * Hands `packet` to every taker whose filter matches and calls `done` once all stored it (or
   * with the first refusal); at once when none matches. While held, it waits for the release.
   */
  take(packet: PublishPacket, done: (error?: Error | null) => void): void {
    if (this.holds > 0) {
      this.held.push(() => this.take(packet, done));
      return;
    }
    if (this.count === 0) return done(null);
    const matched = this.takers.match(packet.topic);
    if (matched.length === 0) return done(null);
    this.inFlight += 1;
    // why no Promise.all for one: a publish usually matches one source
    const stored =
      matched.length === 1 ? matched[0]!(packet) : Promise.all([...new Set(matched)].map((t) => t(packet)));
    stored.then(
      () => this.settle(done, null),
      (error: unknown) => this.settle(done, error instanceof Error ? error : new Error(String(error))),
    );
  }

  /**
   * Runs `change` with every new publish waiting (not refused) until it is done, so a source
   * replaced by a configuration change misses nothing: no publish is acknowledged in between.
   */
  async holdWhile<T>(change: () => Promise<T>): Promise<T> {
    this.holds += 1;
    try {
      return await change();
    } finally {
      this.holds -= 1;
      if (this.holds === 0) for (const resume of this.held.splice(0)) resume();
    }
  }

  /** Resolves once no publish is being stored (or after `maxMs`). */
  async idle(maxMs: number): Promise<void> {
    if (this.inFlight === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((resolve) => this.idleWaiters.push(resolve)),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, maxMs))),
    ]);
    clearTimeout(timer);
  }

  private settle(done: (error?: Error | null) => void, error: Error | null): void {
    this.inFlight -= 1;
    if (this.inFlight === 0) for (const wake of this.idleWaiters.splice(0)) wake();
    done(error);
  }
}
