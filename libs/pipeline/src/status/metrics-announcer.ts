import { encodeMetricsReport, type Bus, type ComponentMetrics, type Subjects } from '@sluice/bus';
import { describeError } from '@sluice/errors';
import type { StageLogger } from '../stage-logger';
import { AnnounceSchedule, type AnnounceOptions } from './announce-schedule';
import type { MetricsByTenant } from './metric-snapshots';

/**
 * Announces this replica's rule or action counters, one report per tenant on
 * `subjects.metrics(tenant)`: a tenant's report when its counters changed, every tenant's again
 * every few intervals (with a TTL), and `gone` at stop so the gateway stops adding them at once.
 * The gateway sums the latest report of each replica.
 *
 * @example
 * const announcer = new MetricsAnnouncer(bus, subjects, log, () => ruleMetricsByTenant(metrics), { node, intervalMs: 1_000 });
 * announcer.start();
 */
export class MetricsAnnouncer {
  private readonly schedule: AnnounceSchedule;
  /** What was last announced per tenant, to announce only changes. */
  private readonly last = new Map<string, string>();
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly bus: Bus,
    private readonly subjects: Subjects,
    private readonly log: StageLogger,
    private readonly collect: () => Promise<MetricsByTenant>,
    options: AnnounceOptions,
  ) {
    this.schedule = new AnnounceSchedule(options);
  }

  start(): void {
    this.timer ??= setInterval(() => void this.tick(), this.schedule.options.intervalMs);
    this.timer.unref();
  }

  /** Stops the timer and withdraws this replica's reports. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
    const tenants = [...this.last.keys()];
    this.last.clear();
    await Promise.all(tenants.map((tenant) => this.send(tenant, [], true)));
  }

  /** One round: announces the tenants whose counters changed, or all when a refresh is due. */
  tick(): Promise<void> {
    this.running ??= this.round().finally(() => (this.running = undefined));
    return this.running;
  }

  private async round(): Promise<void> {
    const refresh = this.schedule.next();
    let byTenant: MetricsByTenant;
    try {
      byTenant = await this.collect();
    } catch (error) {
      this.log.warn(`metrics not collected: ${describeError(error).message}`);
      return;
    }
    for (const [tenant, items] of byTenant) {
      const fingerprint = JSON.stringify(items);
      if (!refresh && this.last.get(tenant) === fingerprint) continue;
      if (await this.send(tenant, items, false)) this.last.set(tenant, fingerprint);
    }
  }

  private async send(tenant: string, items: ComponentMetrics[], gone: boolean): Promise<boolean> {
    const data = encodeMetricsReport({
      tenant,
      node: this.schedule.options.node,
      at: Date.now(),
      ttlMs: this.schedule.ttlMs,
      gone,
      items,
    });
    try {
      await this.bus.notify(this.subjects.metrics(tenant), data);
      return true;
    } catch (error) {
      // why only a warning: counters are cumulative, the next report carries everything
      this.log.warn(`metrics of tenant '${tenant}' not announced: ${describeError(error).message}`);
      return false;
    }
  }
}
