import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { BUS, createSubjects, decodeMetricsReport, type Bus, type MetricsReport } from '@sluice/bus';
import type { GatewaySettings } from '../config';
import { GATEWAY_SETTINGS } from '../gateway.settings';
import { ReplicaReports, listenToAnnouncements } from './replica-reports';

/** Without a TTL in the report, a replica's counters count this long after its last report. */
const DEFAULT_TTL_MS = 60_000;

/** The summed counters of one rule or action and how many replicas reported them. */
export interface SummedMetrics {
  values: Record<string, number>;
  replicas: number;
}

/**
 * The latest counters each rules and delivery replica announced per tenant
 * (`<ns>sluice.metrics.*`). A rule's or action's metrics are the sum over the replicas whose report
 * has not expired; a replica that stops withdraws its report, one that dies expires.
 */
@Injectable()
export class MetricsBoard implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('MetricsBoard');
  /** Per tenant, each replica's counters by `<kind>/<id>`. */
  private readonly reports = new ReplicaReports<Map<string, Record<string, number>>>(DEFAULT_TTL_MS);
  private unsubscribe?: () => void;

  constructor(
    @Optional() @Inject(BUS) private readonly bus: Bus | undefined,
    @Inject(GATEWAY_SETTINGS) private readonly settings: GatewaySettings,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.bus) return;
    const subject = createSubjects(this.settings.SLUICE_BUS_NAMESPACE).metrics();
    this.unsubscribe = listenToAnnouncements(
      this.bus,
      subject,
      'metrics',
      this.logger,
      decodeMetricsReport,
      (r) => this.record(r),
    );
  }

  onApplicationShutdown(): void {
    this.unsubscribe?.();
  }

  private record(report: MetricsReport): void {
    this.reports.put(
      report.tenant,
      report,
      () => new Map(report.items.map((item) => [`${item.kind}/${item.id}`, item.values])),
    );
  }

  /** One rule's or action's counters summed over the live replicas (empty when none reported it). */
  get(tenantId: string, kind: 'rule' | 'action', id: string, now = Date.now()): SummedMetrics {
    const values: Record<string, number> = {};
    let replicas = 0;
    for (const [, items] of this.reports.live(tenantId, now)) {
      const item = items.get(`${kind}/${id}`);
      if (!item) continue;
      replicas++;
      for (const [name, value] of Object.entries(item)) values[name] = (values[name] ?? 0) + value;
    }
    return { values, replicas };
  }
}
