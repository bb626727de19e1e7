import { ComponentState, encodeComponentStatus, type Bus, type Subjects } from '@sluice/bus';
import { describeError } from '@sluice/errors';
import type { StageLogger } from '../stage-logger';
import { AnnounceLoop, type AnnounceOptions } from './announce-schedule';

export type ComponentKind = 'source' | 'connector';
export type ComponentStateName = 'connecting' | 'connected' | 'disconnected' | 'failed';

/** A component's state now, as its owner sees it. */
export interface ComponentProbeResult {
  state: ComponentStateName;
  reason?: string;
}

interface Tracked {
  tenant: string;
  kind: ComponentKind;
  id: string;
  probe: () => ComponentProbeResult;
  /** What was last announced successfully (state and reason), to announce only changes. */
  last?: string;
  /** Up or down as last logged (unset until it first connects or fails), to log each change once. */
  loggedUp?: boolean;
  /** When it went down, for "up again after ...". */
  downSince?: number;
}

const wireStates: Record<ComponentStateName, ComponentState> = {
  connecting: ComponentState.COMPONENT_STATE_CONNECTING,
  connected: ComponentState.COMPONENT_STATE_CONNECTED,
  disconnected: ComponentState.COMPONENT_STATE_DISCONNECTED,
  failed: ComponentState.COMPONENT_STATE_FAILED,
};

/**
 * Announces the state of this replica's sources or connectors on `subjects.status(tenant)`: each
 * change within one interval, everything again every few intervals (with a TTL, so the entries of
 * a replica that died expire at the gateway), and `gone` when a component stops here.
 *
 * @example
 * const announcer = new StatusAnnouncer(bus, subjects, log, { node: replicaNode('ingest'), intervalMs: 1_000 });
 * announcer.track('acme', 'source', 'plant-a', () => ({ state: 'connected' }));
 * announcer.start();
 */
export class StatusAnnouncer {
  private readonly tracked = new Map<string, Tracked>();
  private readonly loop: AnnounceLoop;

  constructor(
    private readonly bus: Bus,
    private readonly subjects: Subjects,
    private readonly log: StageLogger,
    options: AnnounceOptions,
  ) {
    this.loop = new AnnounceLoop(options, (refresh) => this.round(refresh));
  }

  /** Starts announcing a component; its first state goes out on the next tick. */
  track(tenant: string, kind: ComponentKind, id: string, probe: () => ComponentProbeResult): void {
    this.tracked.set(key(tenant, kind, id), { tenant, kind, id, probe });
  }

  /** Stops announcing a component and tells the gateway to forget this replica's entry. */
  async untrack(tenant: string, kind: ComponentKind, id: string): Promise<void> {
    const entry = this.tracked.get(key(tenant, kind, id));
    if (!entry) return;
    this.tracked.delete(key(tenant, kind, id));
    await this.send(entry, { state: 'disconnected', reason: 'stopped' }, true);
  }

  start(): void {
    this.loop.start();
  }

  /** Stops the timer and withdraws every entry of this replica. */
  async stop(): Promise<void> {
    await this.loop.stop();
    const entries = [...this.tracked.values()];
    this.tracked.clear();
    await Promise.all(entries.map((e) => this.send(e, { state: 'disconnected', reason: 'stopped' }, true)));
  }

  /** One round: announces what changed, or everything when a refresh is due. */
  tick(): Promise<void> {
    return this.loop.tick();
  }

  private async round(refresh: boolean): Promise<void> {
    for (const entry of [...this.tracked.values()]) {
      let now: ComponentProbeResult;
      try {
        now = entry.probe();
      } catch (error) {
        now = { state: 'failed', reason: describeError(error).message };
      }
      this.logChange(entry, now);
      const fingerprint = `${now.state}\u0000${now.reason ?? ''}`;
      if (!refresh && fingerprint === entry.last) continue;
      if (await this.send(entry, now, false)) entry.last = fingerprint;
    }
  }

  /** One line per change between up and down (with the reason), not per tick or per new reason. */
  private logChange(entry: Tracked, now: ComponentProbeResult): void {
    const up = now.state === 'connected';
    if (up === entry.loggedUp) return;
    // why: a component still making its first connection is neither up nor down yet
    if (entry.loggedUp === undefined && now.state === 'connecting') return;
    const name = `${entry.kind} ${entry.tenant}/${entry.id}`;
    if (up) {
      const after =
        entry.downSince === undefined ? '' : ` again after ${formatDuration(Date.now() - entry.downSince)}`;
      this.log.log(`${name} is up${after}`);
      entry.downSince = undefined;
    } else {
      this.log.warn(`${name} is down (${now.state}): ${now.reason ?? 'no reason given'}`);
      entry.downSince = Date.now();
    }
    entry.loggedUp = up;
  }

  private async send(entry: Tracked, status: ComponentProbeResult, gone: boolean): Promise<boolean> {
    const data = encodeComponentStatus({
      tenant: entry.tenant,
      kind: entry.kind,
      id: entry.id,
      state: wireStates[status.state],
      reason: status.state === 'connected' ? '' : (status.reason ?? ''),
      node: this.loop.schedule.options.node,
      at: Date.now(),
      ttlMs: this.loop.schedule.ttlMs,
      gone,
    });
    try {
      await this.bus.notify(this.subjects.status(entry.tenant), data);
      return true;
    } catch (error) {
      // why only a warning: the next tick announces it again (status is live state, not data)
      this.log.warn(
        `status of ${entry.kind} ${entry.tenant}/${entry.id} not announced: ${describeError(error).message}`,
      );
      return false;
    }
  }
}

function key(tenant: string, kind: ComponentKind, id: string): string {
  return `${tenant}\u0000${kind}\u0000${id}`;
}

function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return seconds < 120 ? `${seconds} s` : `${Math.round(seconds / 60)} min`;
}
