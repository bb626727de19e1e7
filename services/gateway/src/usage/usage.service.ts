import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { BUS, createSubjects, type Bus } from '@sluice/bus';
import { describeError } from '@sluice/errors';
import { EntityNotFoundError, usageMonth } from '@sluice/persistence';
import { LogSampler } from '@sluice/telemetry';
import { z } from 'zod';
import type { GatewaySettings } from '../config';
import { InputInvalidError } from '../errors/api-errors';
import { GATEWAY_SETTINGS } from '../gateway.settings';
import { PLANS, planOf, type Plans } from '../plans/plans';
import { TenantChanges } from '../propagation/tenant-changes.service';
import type { UsageModel } from './usage.model';

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const usageReportSchema = z.object({
  tenant: z.string().min(1),
  month: z.string().regex(MONTH),
  ruleActions: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
});

/**
 * Adds the usage reports delivery sends (about once a second per tenant, on
 * `<ns>sluice.usage.<tenant>`) to the database, and prices a month by the tenant's plan.
 */
@Injectable()
export class UsageService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Usage');
  private unsubscribe?: () => void;
  private pending = new Set<Promise<void>>();

  constructor(
    @Optional() @Inject(BUS) private readonly bus: Bus | undefined,
    @Inject(GATEWAY_SETTINGS) private readonly settings: GatewaySettings,
    @Inject(PLANS) private readonly plans: Plans,
    private readonly changes: TenantChanges,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.bus) {
      this.logger.error('no bus (BUS): usage reports are not received');
      return;
    }
    const subjects = createSubjects(this.settings.SLUICE_BUS_NAMESPACE);
    this.unsubscribe = this.bus.onNotify(subjects.usage(), (data, subject) => {
      const work = this.record(data, subject).finally(() => this.pending.delete(work));
      this.pending.add(work);
    });
  }

  /** One line per tenant's subject an hour for reports that cannot be recorded. */
  private readonly droppedReports = new LogSampler({ windowMs: 3_600_000 });

  async onApplicationShutdown(): Promise<void> {
    this.unsubscribe?.();
    await Promise.all([...this.pending]);
  }

  /** Adds one report; a malformed one or one for an unknown tenant is logged and dropped. */
  async record(data: Uint8Array, subject: string): Promise<void> {
    try {
      const report = usageReportSchema.parse(JSON.parse(Buffer.from(data).toString('utf8')));
      if (subject.split('.').at(-1) !== report.tenant) {
        throw new Error(`report for tenant ${report.tenant} arrived on ${subject}`);
      }
      if (report.ruleActions === 0) return;
      await this.changes.inTransaction((repos) =>
        repos.usage.increment(report.tenant, report.month, report.ruleActions),
      );
    } catch (error) {
      // why sampled: delivery reports about once a second, so a tenant the database does not know
      // (one of a pipeline file) would write a line a second
      const skipped = this.droppedReports.take(subject);
      if (skipped !== undefined)
        this.logger.warn(
          `usage report on ${subject} dropped: ${describeError(error).message}${LogSampler.suffix(skipped)}`,
        );
    }
  }

  async get(tenantId: string, month: string | undefined): Promise<UsageModel> {
    const at = checkMonth(month);
    const { tenant, ruleActions } = await this.changes.inTransaction(async (repos) => ({
      tenant: await repos.tenants.get(tenantId),
      ruleActions: await repos.usage.get(tenantId, at),
    }));
    if (!tenant) throw new EntityNotFoundError('Tenant', tenantId);
    return this.price(tenantId, tenant.plan, at, ruleActions);
  }

  /** Billing: every tenant with usage in `month`, largest first (operator only). */
  async listMonth(month: string | undefined): Promise<UsageModel[]> {
    const at = checkMonth(month);
    const { counters, plans } = await this.changes.inTransaction(async (repos) => {
      const rows = await repos.usage.listMonth(at);
      const tenants = await Promise.all(rows.map((row) => repos.tenants.get(row.tenantId)));
      return { counters: rows, plans: tenants.map((t) => t?.plan) };
    });
    return counters.flatMap((row, i) => {
      const plan = plans[i];
      return plan === undefined ? [] : [this.price(row.tenantId, plan, at, row.ruleActions)];
    });
  }

  private price(tenantId: string, planName: string, month: string, ruleActions: number): UsageModel {
    const plan = planOf(this.plans, planName);
    const billableActions = Math.max(0, ruleActions - plan.freeActionsPerMonth);
    return {
      tenantId,
      month,
      plan: planName,
      ruleActions,
      freeQuota: plan.freeActionsPerMonth,
      billableActions,
      pricePerMillion: plan.pricePerMillionUsd,
      charge: (billableActions * plan.pricePerMillionUsd) / 1_000_000,
    };
  }
}

function checkMonth(month: string | undefined): string {
  const at = month ?? usageMonth(new Date());
  if (!MONTH.test(at)) throw new InputInvalidError('month', `expected YYYY-MM, got '${at}'`);
  return at;
}
