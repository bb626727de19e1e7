import type { MigrationInterface, QueryRunner } from 'typeorm';

// why a column: as for connectors, whether a source's broker was chosen by the operator
// (unrestricted) or by a tenant (checked against the operator's target policy, also when ingest
// connects) must survive restarts and travel with the tenant's definition to ingest; existing rows
// count as a tenant's, the safe side.
export class SourceConfiguredBy1796600000000 implements MigrationInterface {
  name = 'SourceConfiguredBy1796600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // why plain SQL: TypeORM's addColumn rebuilds the table on SQLite, which loses its foreign keys
    await queryRunner.query(
      `ALTER TABLE ${table(queryRunner)} ADD COLUMN configured_by_operator boolean NOT NULL DEFAULT false`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE ${table(queryRunner)} DROP COLUMN configured_by_operator`);
  }
}

/** `sources`, in the schema the data source uses (PostgreSQL's SLUICE_DATABASE_SCHEMA). */
function table(queryRunner: QueryRunner): string {
  const schema = (queryRunner.connection.driver.options as { schema?: string }).schema;
  return schema ? `"${schema}"."sources"` : 'sources';
}
