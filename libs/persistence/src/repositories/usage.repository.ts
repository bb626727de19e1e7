import type { EntityManager, Repository } from 'typeorm';
import { UsageCounter } from '../entities/usage-counter.entity';
import { guardWrite } from './db-errors';

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

/**
 * The billing month of an instant, in UTC.
 *
 * @example usageMonth(new Date('2026-11-30T23:59:59Z')); // '2026-11'
 */
export function usageMonth(at: Date): string {
  return at.toISOString().slice(0, 7);
}

/** Rule actions executed per tenant per calendar month. */
export class UsageRepository {
  constructor(private readonly manager: EntityManager) {}

  private get repo(): Repository<UsageCounter> {
    return this.manager.getRepository(UsageCounter);
  }

  /**
   * Adds `n` to the tenant's counter for `month` in one atomic statement (an upsert, so concurrent
   * increments never lose an update) and returns the new total.
   */
  async increment(tenantId: string, month: string, n: number): Promise<number> {
    if (!MONTH.test(month)) throw new RangeError(`month must be YYYY-MM, got ${JSON.stringify(month)}`);
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`n must be a non-negative integer, got ${n}`);
    const metadata = this.repo.metadata;
    const table = metadata.schema
      ? `"${metadata.schema}"."${metadata.tableName}"`
      : `"${metadata.tableName}"`;
    // why hand-written: TypeORM's orUpdate() can only overwrite with EXCLUDED, not add to it.
    // ON CONFLICT ... DO UPDATE and RETURNING read the same on PostgreSQL and SQLite >= 3.35.
    const sql =
      `INSERT INTO ${table} ("tenant_id", "month", "rule_actions", "updated_at") ` +
      `VALUES (:tenantId, :month, :n, :now) ON CONFLICT ("tenant_id", "month") DO UPDATE SET ` +
      `"rule_actions" = "${metadata.tableName}"."rule_actions" + excluded."rule_actions", ` +
      `"updated_at" = excluded."updated_at" RETURNING "rule_actions"`;
    const [query, parameters] = this.manager.connection.driver.escapeQueryWithParameters(
      sql,
      { tenantId, month, n, now: new Date() },
      {},
    );
    const rows = await guardWrite('UsageCounter', 'write', () =>
      this.manager.query<{ rule_actions: string | number }[]>(query, parameters),
    );
    return Number(rows[0]?.rule_actions ?? 0);
  }

  /** The count for one month (0 when nothing was counted yet). */
  async get(tenantId: string, month: string): Promise<number> {
    const row = await this.repo.findOneBy({ tenantId, month });
    return row?.ruleActions ?? 0;
  }

  /** Operator view for billing: every tenant's count for `month`, largest first. */
  listMonth(month: string): Promise<UsageCounter[]> {
    return this.repo.find({ where: { month }, order: { ruleActions: 'DESC', tenantId: 'ASC' } });
  }

  /** Every month with usage, newest first. */
  list(tenantId: string): Promise<UsageCounter[]> {
    return this.repo.find({ where: { tenantId }, order: { month: 'DESC' } });
  }
}
