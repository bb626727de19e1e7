import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { BUS, ComponentState, createSubjects, decodeComponentStatus, type Bus } from '@sluice/bus';
import { describeError } from '@sluice/errors';
import type { GatewaySettings } from '../config';
import { GATEWAY_SETTINGS } from '../gateway.settings';
import type { ComponentStatusModel } from './component-status.model';

const states: Record<number, string> = {
  [ComponentState.COMPONENT_STATE_CONNECTING]: 'connecting',
  [ComponentState.COMPONENT_STATE_CONNECTED]: 'connected',
  [ComponentState.COMPONENT_STATE_DISCONNECTED]: 'disconnected',
  [ComponentState.COMPONENT_STATE_FAILED]: 'failed',
};
/** A replica that has not announced for this long (without a TTL of its own) is assumed gone. */
const DEFAULT_TTL_MS = 5 * 60_000;

type Entry = ComponentStatusModel & { tenant: string; expiresAt: number };

/**
 * The latest status each replica announced for each source and connector (`<ns>sluice.status.*`).
 * Kept in memory: statuses are live, re-announced by the replicas, and never written to the database.
 */
@Injectable()
export class StatusBoard implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('StatusBoard');
  private readonly latest = new Map<string, Map<string, Entry>>();
  private unsubscribe?: () => void;

  constructor(
    @Optional() @Inject(BUS) private readonly bus: Bus | undefined,
    @Inject(GATEWAY_SETTINGS) private readonly settings: GatewaySettings,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.bus) return;
    const subjects = createSubjects(this.settings.SLUICE_BUS_NAMESPACE);
    this.unsubscribe = this.bus.onNotify(subjects.status(), (data, subject) => this.record(data, subject));
  }

  onApplicationShutdown(): void {
    this.unsubscribe?.();
  }

  record(data: Uint8Array, subject: string): void {
    try {
      const status = decodeComponentStatus(data);
      if (subject.split('.').at(-1) !== status.tenant)
        throw new Error(`status of ${status.tenant} on ${subject}`);
      const key = `${status.tenant}/${status.kind}/${status.id}`;
      const nodes = this.latest.get(key) ?? new Map<string, Entry>();
      const previous = nodes.get(status.node);
      if (previous && previous.at.getTime() > status.at) return; // why: announcements may arrive out of order
      if (status.gone) {
        nodes.delete(status.node);
        if (nodes.size === 0) this.latest.delete(key);
        return;
      }
      nodes.set(status.node, {
        tenant: status.tenant,
        node: status.node,
        state: states[status.state] ?? 'unknown',
        reason: status.reason || null,
        at: new Date(status.at),
        // why the gateway's clock: the replicas' clocks may be off
        expiresAt: Date.now() + (status.ttlMs || DEFAULT_TTL_MS),
      });
      this.latest.set(key, nodes);
    } catch (error) {
      this.logger.warn(`status on ${subject} dropped: ${describeError(error).message}`);
    }
  }

  /** Each replica's latest status of one source or connector of a tenant, by node name. */
  get(tenantId: string, kind: 'source' | 'connector', id: string, now = Date.now()): ComponentStatusModel[] {
    const nodes = this.latest.get(`${tenantId}/${kind}/${id}`);
    if (!nodes) return [];
    for (const [node, entry] of nodes) if (now > entry.expiresAt) nodes.delete(node);
    return [...nodes.values()]
      .sort((a, b) => a.node.localeCompare(b.node))
      .map(({ node, state, reason, at }) => ({ node, state, reason, at }));
  }
}
