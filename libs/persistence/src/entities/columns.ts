import { Column, PrimaryColumn } from 'typeorm';

// why these helpers: the entities must map the same on PostgreSQL and SQLite. Ids are UUIDs made in
// code (randomUUID) and kept as varchar(36); times are `Date` and left to the driver (timestamptz in
// the PostgreSQL migration, ISO UTC text on SQLite); JSON is `simple-json` (text) because nothing
// queries inside it. The migrations, not these decorators, own the DDL.
export const IdColumn = () => PrimaryColumn({ type: 'varchar', length: 36 });
export const TenantIdColumn = () => Column({ type: 'varchar', length: 36 });
export const TimeColumn = (nullable = false) => Column({ type: Date, nullable });
export const JsonColumn = () => Column({ type: 'simple-json' });
export const NameColumn = () => Column({ type: 'varchar', length: 128 });

/** The columns every tenant-owned, editable row has. */
export abstract class TenantOwned {
  @IdColumn() id!: string;
  @TenantIdColumn() tenantId!: string;
  @NameColumn() name!: string;
  @Column({ type: 'boolean' }) enabled!: boolean;
  /** Optimistic concurrency: an update names the version it read; each update adds one. */
  @Column({ type: 'integer' }) version!: number;
  @TimeColumn() createdAt!: Date;
  @TimeColumn() updatedAt!: Date;
}
