import { Column, Entity, PrimaryColumn, type ValueTransformer } from 'typeorm';
import { TimeColumn } from './columns';

// why: node-pg returns bigint as a string; a month of rule actions stays far below 2^53
const bigintAsNumber: ValueTransformer = {
  to: (value: number | undefined) => value,
  from: (value: string | number | null) => (value === null ? 0 : Number(value)),
};

/** Rule actions executed by a tenant in one calendar month (UTC), the unit of billing. */
@Entity({ name: 'usage_counters' })
export class UsageCounter {
  @PrimaryColumn({ type: 'varchar', length: 36 }) tenantId!: string;
  /** `YYYY-MM`. */
  @PrimaryColumn({ type: 'varchar', length: 7 }) month!: string;
  @Column({ type: 'bigint', transformer: bigintAsNumber }) ruleActions!: number;
  @TimeColumn() updatedAt!: Date;
}
