import type { Logger } from '@nestjs/common';
import type { Bus } from '@sluice/bus';
import { describeError } from '@sluice/errors';

/** What every replica's announcement carries (`ComponentStatus`, `MetricsReport`). */
export interface ReplicaAnnouncement {
  tenant: string;
  node: string;
  /** The replica's time of the announcement, epoch ms. */
  at: number;
  /** How long it holds without another one; 0: the board's default. */
  ttlMs: number;
  /** The replica withdraws its announcement (it stops). */
  gone: boolean;
}

interface Held<T> {
  at: number;
  expiresAt: number;
  value: T;
}

/**
 * The latest announcement of each replica under a key, kept in memory for the gateway's boards
 * (statuses, metrics): a later-dated one replaces it, `gone` withdraws it, and it expires after
 * its TTL on the gateway's clock (the replicas' clocks may be off), so a replica that dies drops out.
 */
export class ReplicaReports<T> {
  private readonly byKey = new Map<string, Map<string, Held<T>>>();

  constructor(private readonly defaultTtlMs: number) {}

  put(key: string, announcement: ReplicaAnnouncement, value: () => T, now = Date.now()): void {
    const nodes = this.byKey.get(key) ?? new Map<string, Held<T>>();
    const previous = nodes.get(announcement.node);
    if (previous && previous.at > announcement.at) return; // why: announcements may arrive out of order
    if (announcement.gone) {
      nodes.delete(announcement.node);
      if (nodes.size === 0) this.byKey.delete(key);
      return;
    }
    const expiresAt = now + (announcement.ttlMs || this.defaultTtlMs);
    nodes.set(announcement.node, { at: announcement.at, expiresAt, value: value() });
    this.byKey.set(key, nodes);
  }

  /** The values of the replicas whose announcement under `key` has not expired, by node name. */
  live(key: string, now = Date.now()): [node: string, value: T][] {
    const nodes = this.byKey.get(key);
    if (!nodes) return [];
    for (const [node, held] of nodes) if (now > held.expiresAt) nodes.delete(node);
    if (nodes.size === 0) this.byKey.delete(key);
    return [...nodes].sort(([a], [b]) => a.localeCompare(b)).map(([node, held]) => [node, held.value]);
  }
}

/**
 * Subscribes `apply` to the announcements on `subject` (`<ns>sluice.status.*`, `...metrics.*`).
 * One that does not decode, or whose tenant is not its subject's last token (a replica can only
 * speak for the tenant it publishes under), is dropped with a warning naming `what`.
 */
export function listenToAnnouncements<A extends ReplicaAnnouncement>(
  bus: Bus,
  subject: string,
  what: string,
  logger: Logger,
  decode: (data: Uint8Array) => A,
  apply: (announcement: A) => void,
): () => void {
  return bus.onNotify(subject, (data, on) => {
    try {
      const announcement = decode(data);
      if (on.split('.').at(-1) !== announcement.tenant)
        throw new Error(`${what} of ${announcement.tenant} on ${on}`);
      apply(announcement);
    } catch (error) {
      logger.warn(`${what} on ${on} dropped: ${describeError(error).message}`);
    }
  });
}
