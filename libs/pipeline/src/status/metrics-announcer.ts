import { encodeMetricsReport, type Bus, type ComponentMetrics, type Subjects } from '@sluice/bus';
import { describeError } from '@sluice/errors';
import type { StageLogger } from '../stage-logger';
import { AnnounceLoop, type AnnounceOptions } from './announce-schedule';
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
  private readonly loop: AnnounceLoop;
  /** What was last announced per tenant, to announce only changes. */
  private readonly last = new Map<string, string>();

  constructor(
    private readonly bus: Bus,
    private readonly subjects: Subjects,
    private readonly log: StageLogger,
    private readonly collect: () => Promise<MetricsByTenant>,
    options: AnnounceOptions,
  ) {
    this.loop = new AnnounceLoop(options, (refresh) => this.round(refresh));
  }

  start(): void {
    this.loop.start();
  }

  /** Stops the timer and withdraws this replica's reports. */
  async stop(): Promise<void> {
    await this.loop.stop();
    const tenants = [...this.last.keys()];
    this.last.clear();
    await Promise.all(tenants.map((tenant) => this.send(tenant, [], true)));
  }

  /** One round: announces the tenants whose counters changed, or all when a refresh is due. */
  tick(): Promise<void> {
    return this.loop.tick();
  }

  private async round(refresh: boolean): Promise<void> {
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
      node: this.loop.schedule.options.node,
      at: Date.now(),
      ttlMs: this.loop.schedule.ttlMs,
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
