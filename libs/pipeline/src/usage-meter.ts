import type { Bus, Subjects } from '@sluice/bus';
import { describeError } from '@sluice/errors';
import type { StageLogger } from './stage-logger';

/** What the gateway receives on `subjects.usage(tenant)` and adds to the tenant's month. */
export interface UsageReport {
  tenant: string;
  /** Calendar month in UTC, `YYYY-MM`. */
  month: string;
  ruleActions: number;
}

/** `YYYY-MM` of a time, in UTC (the billing month). */
export function usageMonthOf(time: number): string {
  return new Date(time).toISOString().slice(0, 7);
}

/**
 * Counts rule actions executed per tenant and month, and reports the sums to the gateway about
 * once a second (the gateway is the only writer of the database). A report that cannot be sent
 * is kept and added to the next one.
 */
export class UsageMeter {
  private pending = new Map<string, UsageReport>();
  /** The month of the last record and its bounds (epoch ms, UTC). */
  private month = '';
  private monthFrom = 0;
  private monthUntil = 0;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly bus: Bus,
    private readonly subjects: Subjects,
    private readonly log: StageLogger,
    private readonly intervalMs = 1_000,
  ) {}

  record(tenant: string, ruleActions = 1, at = Date.now()): void {
    // why the cache: delivery records every request, and toISOString() showed in its profile
    if (at < this.monthFrom || at >= this.monthUntil) this.cacheMonth(at);
    const month = this.month;
    const key = `${tenant}\u0000${month}`;
    const report = this.pending.get(key);
    if (report) report.ruleActions += ruleActions;
    else this.pending.set(key, { tenant, month, ruleActions });
  }

  start(): void {
    this.timer ??= setInterval(() => void this.flush(), this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  private cacheMonth(at: number): void {
    const date = new Date(at);
    this.month = usageMonthOf(at);
    this.monthFrom = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
    this.monthUntil = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
  }

  /** Sends what was counted since the last flush. */
  async flush(): Promise<void> {
    const reports = [...this.pending.values()];
    this.pending = new Map();
    for (const report of reports) {
      try {
        await this.bus.notify(this.subjects.usage(report.tenant), Buffer.from(JSON.stringify(report)));
      } catch (error) {
        this.log.warn(
          `usage report for '${report.tenant}' not sent, keeping it: ${describeError(error).message}`,
        );
        this.record(report.tenant, report.ruleActions, Date.parse(`${report.month}-01T00:00:00Z`));
      }
    }
  }
}
