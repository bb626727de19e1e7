import { Column, Entity } from 'typeorm';
import { IdColumn, NameColumn, TimeColumn } from './columns';

/** One isolated deployment: its own sources, connectors, rules, keys and usage. */
@Entity({ name: 'tenants' })
export class Tenant {
  @IdColumn() id!: string;
  @NameColumn() name!: string;
  /** A plan name from the configuration (quotas and prices live there, see ADR 0002). */
  @Column({ type: 'varchar', length: 64 }) plan!: string;
  @Column({ type: 'integer' }) version!: number;
  @TimeColumn() createdAt!: Date;
  @TimeColumn() updatedAt!: Date;
}
