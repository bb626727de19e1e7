import { hostname } from 'node:os';

/** How often a replica announces, and how long the gateway may trust an announcement. */
export interface AnnounceOptions {
  /** The replica: service, host and process (several replicas may share a host). */
  node: string;
  /** How often changes are looked for and announced. */
  intervalMs: number;
  /** Unchanged entries are announced again every this many intervals (a gateway that starts later learns them). */
  refreshEvery?: number;
}

/** Entries expire after this many refresh periods without a new announcement (one lost message is not enough). */
const TTL_REFRESHES = 3;
const DEFAULT_REFRESH_EVERY = 10;

/**
 * The replica's name in announcements: `<service>@<host>:<pid>`.
 *
 * @example replicaNode('delivery'); // 'delivery@pod-7:42'
 */
export function replicaNode(service: string, host = hostname(), pid = process.pid): string {
  return `${service}@${host}:${pid}`;
}

/** Counts ticks and says when everything must be announced again, whether it changed or not. */
export class AnnounceSchedule {
  readonly refreshEvery: number;
  /** What the gateway is told: how long an entry stays valid without a newer announcement. */
  readonly ttlMs: number;
  private ticks = 0;

  constructor(readonly options: AnnounceOptions) {
    this.refreshEvery = Math.max(1, options.refreshEvery ?? DEFAULT_REFRESH_EVERY);
    this.ttlMs = options.intervalMs * this.refreshEvery * TTL_REFRESHES;
  }

  /** Advances one tick; true when this tick re-announces everything (the first one does). */
  next(): boolean {
    return this.ticks++ % this.refreshEvery === 0;
  }
}

/**
 * The timer both announcers run: a round every interval, never two at once (a slow bus must not
 * stack rounds up), told whether this round re-announces everything.
 */
export class AnnounceLoop {
  readonly schedule: AnnounceSchedule;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    options: AnnounceOptions,
    private readonly round: (refresh: boolean) => Promise<void>,
  ) {
    this.schedule = new AnnounceSchedule(options);
  }

  start(): void {
    this.timer ??= setInterval(() => void this.tick(), this.schedule.options.intervalMs);
    this.timer.unref();
  }

  /** Stops the timer and waits for a round in progress. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One round now, or the one already running. */
  tick(): Promise<void> {
    this.running ??= this.round(this.schedule.next()).finally(() => (this.running = undefined));
    return this.running;
  }
}
