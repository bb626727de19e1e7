import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import {
  BUS,
  ComponentState,
  createSubjects,
  decodeComponentStatus,
  type Bus,
  type ComponentStatus,
} from '@sluice/bus';
import type { GatewaySettings } from '../config';
import { GATEWAY_SETTINGS } from '../gateway.settings';
import type { ComponentStatusModel } from './component-status.model';
import { ReplicaReports, listenToAnnouncements } from './replica-reports';

const states: Record<number, string> = {
  [ComponentState.COMPONENT_STATE_CONNECTING]: 'connecting',
  [ComponentState.COMPONENT_STATE_CONNECTED]: 'connected',
  [ComponentState.COMPONENT_STATE_DISCONNECTED]: 'disconnected',
  [ComponentState.COMPONENT_STATE_FAILED]: 'failed',
};
/** A replica that has not announced for this long (without a TTL of its own) is assumed gone. */
const DEFAULT_TTL_MS = 5 * 60_000;

/**
 * The latest status each replica announced for each source and connector (`<ns>sluice.status.*`).
 * Kept in memory: statuses are live, re-announced by the replicas, and never written to the database.
 */
@Injectable()
export class StatusBoard implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('StatusBoard');
  /** Per `<tenant>/<kind>/<id>`, each replica's status. */
  private readonly latest = new ReplicaReports<Omit<ComponentStatusModel, 'node'>>(DEFAULT_TTL_MS);
  private unsubscribe?: () => void;

  constructor(
    @Optional() @Inject(BUS) private readonly bus: Bus | undefined,
    @Inject(GATEWAY_SETTINGS) private readonly settings: GatewaySettings,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.bus) return;
    const subject = createSubjects(this.settings.SLUICE_BUS_NAMESPACE).status();
    this.unsubscribe = listenToAnnouncements(
      this.bus,
      subject,
      'status',
      this.logger,
      decodeComponentStatus,
      (s) => this.record(s),
    );
  }

  onApplicationShutdown(): void {
    this.unsubscribe?.();
  }

  private record(status: ComponentStatus): void {
    this.latest.put(`${status.tenant}/${status.kind}/${status.id}`, status, () => ({
      state: states[status.state] ?? 'unknown',
      reason: status.reason || null,
      at: new Date(status.at),
    }));
  }

  /** Each replica's latest status of one source or connector of a tenant, by node name. */
  get(tenantId: string, kind: 'source' | 'connector', id: string, now = Date.now()): ComponentStatusModel[] {
    return this.latest.live(`${tenantId}/${kind}/${id}`, now).map(([node, status]) => ({ node, ...status }));
  }
}
