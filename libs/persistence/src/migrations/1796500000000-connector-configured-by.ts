import type { MigrationInterface, QueryRunner } from 'typeorm';

// why a column: whether a connector's targets were chosen by the operator (unrestricted) or by a
// tenant (checked against the operator's target policy) must survive restarts and travel with the
// tenant's definition to delivery; existing rows count as a tenant's, the safe side.
export class ConnectorConfiguredBy1796500000000 implements MigrationInterface {
  name = 'ConnectorConfiguredBy1796500000000';

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

/** `connectors`, in the schema the data source uses (PostgreSQL's SLUICE_DATABASE_SCHEMA). */
function table(queryRunner: QueryRunner): string {
  const schema = (queryRunner.connection.driver.options as { schema?: string }).schema;
  return schema ? `"${schema}"."connectors"` : 'connectors';
}
