import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { BUS, createSubjects, decodeMetricsReport, type Bus } from '@sluice/bus';
import { describeError } from '@sluice/errors';
import type { GatewaySettings } from '../config';
import { GATEWAY_SETTINGS } from '../gateway.settings';

/** Without a TTL in the report, a replica's counters count this long after its last report. */
const DEFAULT_TTL_MS = 60_000;

interface Report {
  at: number;
  expiresAt: number;
  /** `<kind>/<id>` -> counter values. */
  items: Map<string, Record<string, number>>;
}

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
  /** tenant -> node -> report. */
  private readonly reports = new Map<string, Map<string, Report>>();
  private unsubscribe?: () => void;

  constructor(
    @Optional() @Inject(BUS) private readonly bus: Bus | undefined,
    @Inject(GATEWAY_SETTINGS) private readonly settings: GatewaySettings,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.bus) return;
    const subjects = createSubjects(this.settings.SLUICE_BUS_NAMESPACE);
    this.unsubscribe = this.bus.onNotify(subjects.metrics(), (data, subject) => this.record(data, subject));
  }

  onApplicationShutdown(): void {
    this.unsubscribe?.();
  }

  record(data: Uint8Array, subject: string): void {
    try {
      const report = decodeMetricsReport(data);
      if (subject.split('.').at(-1) !== report.tenant)
        throw new Error(`metrics of ${report.tenant} on ${subject}`);
      const nodes = this.reports.get(report.tenant) ?? new Map<string, Report>();
      const previous = nodes.get(report.node);
      if (previous && previous.at > report.at) return; // why: reports may arrive out of order
      if (report.gone) {
        nodes.delete(report.node);
        return;
      }
      const items = new Map<string, Record<string, number>>();
      for (const item of report.items) items.set(`${item.kind}/${item.id}`, item.values);
      nodes.set(report.node, {
        at: report.at,
        expiresAt: Date.now() + (report.ttlMs || DEFAULT_TTL_MS),
        items,
      });
      this.reports.set(report.tenant, nodes);
    } catch (error) {
      this.logger.warn(`metrics on ${subject} dropped: ${describeError(error).message}`);
    }
  }

  /** One rule's or action's counters summed over the live replicas (empty when none reported it). */
  get(tenantId: string, kind: 'rule' | 'action', id: string, now = Date.now()): SummedMetrics {
    const values: Record<string, number> = {};
    let replicas = 0;
    const nodes = this.reports.get(tenantId);
    for (const [node, report] of nodes ?? []) {
      if (now > report.expiresAt) {
        nodes?.delete(node);
        continue;
      }
      const item = report.items.get(`${kind}/${id}`);
      if (!item) continue;
      replicas++;
      for (const [name, value] of Object.entries(item)) values[name] = (values[name] ?? 0) + value;
    }
    return { values, replicas };
  }
}
