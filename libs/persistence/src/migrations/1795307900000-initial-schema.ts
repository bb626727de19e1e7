import {
  Table,
  TableForeignKey,
  TableIndex,
  TableUnique,
  type MigrationInterface,
  type QueryRunner,
} from 'typeorm';
import { columnKit } from './column-types';

// why composite foreign keys (tenant_id, x_id) -> x(tenant_id, id): the database itself refuses an
// action that points at another tenant's rule or connector, whatever the code above it does.
export class InitialSchema1795307900000 implements MigrationInterface {
  name = 'InitialSchema1795307900000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = columnKit(queryRunner);
    const tenantFk = (table: string) =>
      new TableForeignKey({
        name: `fk_${table}_tenant`,
        columnNames: ['tenant_id'],
        referencedTableName: 'tenants',
        referencedColumnNames: ['id'],
        onDelete: 'CASCADE',
      });

    await queryRunner.createTable(
      new Table({
        name: 'tenants',
        columns: [
          c.id(),
          c.varchar('name', 128),
          c.varchar('plan', 64),
          c.integer('version'),
          c.time('created_at'),
          c.time('updated_at'),
        ],
        uniques: [new TableUnique({ name: 'uq_tenants_name', columnNames: ['name'] })],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'api_keys',
        columns: [
          c.id(),
          c.ref('tenant_id', true),
          c.varchar('name', 128),
          c.varchar('prefix', 32),
          c.varchar('hash', 64),
          c.text('publish_topics'),
          c.integer('rate_limit', true),
          c.time('created_at'),
          c.time('last_used_at', true),
          c.time('revoked_at', true),
        ],
        uniques: [new TableUnique({ name: 'uq_api_keys_prefix', columnNames: ['prefix'] })],
        foreignKeys: [tenantFk('api_keys')],
      }),
    );
    await queryRunner.createIndex(
      'api_keys',
      new TableIndex({ name: 'ix_api_keys_tenant_created', columnNames: ['tenant_id', 'created_at', 'id'] }),
    );

    for (const table of ['sources', 'connectors'] as const) {
      await queryRunner.createTable(
        new Table({
          name: table,
          columns: [
            c.id(),
            c.ref('tenant_id'),
            c.varchar('name', 128),
            c.varchar('kind', table === 'sources' ? 16 : 32),
            c.text('config'),
            c.text('secrets_sealed', true),
            c.boolean('enabled'),
            c.integer('version'),
            c.time('created_at'),
            c.time('updated_at'),
          ],
          uniques: [
            new TableUnique({ name: `uq_${table}_tenant_name`, columnNames: ['tenant_id', 'name'] }),
            new TableUnique({ name: `uq_${table}_tenant_id`, columnNames: ['tenant_id', 'id'] }),
          ],
          checks:
            table === 'sources'
              ? [{ name: 'ck_sources_kind', expression: `"kind" IN ('mqtt', 'kafka', 'nats')` }]
              : [],
          foreignKeys: [tenantFk(table)],
        }),
      );
      await queryRunner.createIndex(
        table,
        new TableIndex({
          name: `ix_${table}_tenant_created`,
          columnNames: ['tenant_id', 'created_at', 'id'],
        }),
      );
    }

    await queryRunner.createTable(
      new Table({
        name: 'rules',
        columns: [
          c.id(),
          c.ref('tenant_id'),
          c.varchar('name', 128),
          c.text('sql'),
          c.text('description'),
          c.boolean('enabled'),
          c.integer('version'),
          c.time('created_at'),
          c.time('updated_at'),
        ],
        uniques: [
          new TableUnique({ name: 'uq_rules_tenant_name', columnNames: ['tenant_id', 'name'] }),
          new TableUnique({ name: 'uq_rules_tenant_id', columnNames: ['tenant_id', 'id'] }),
        ],
        foreignKeys: [tenantFk('rules')],
      }),
    );
    await queryRunner.createIndex(
      'rules',
      new TableIndex({ name: 'ix_rules_tenant_created', columnNames: ['tenant_id', 'created_at', 'id'] }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'actions',
        columns: [
          c.id(),
          c.ref('tenant_id'),
          c.ref('rule_id'),
          c.ref('connector_id'),
          c.text('config'),
          c.boolean('enabled'),
          c.integer('position'),
          c.integer('version'),
          c.time('created_at'),
          c.time('updated_at'),
        ],
        foreignKeys: [
          tenantFk('actions'),
          new TableForeignKey({
            name: 'fk_actions_rule',
            columnNames: ['tenant_id', 'rule_id'],
            referencedTableName: 'rules',
            referencedColumnNames: ['tenant_id', 'id'],
            onDelete: 'CASCADE',
          }),
          // why RESTRICT: deleting a connector that actions still send to is refused, not cascaded
          new TableForeignKey({
            name: 'fk_actions_connector',
            columnNames: ['tenant_id', 'connector_id'],
            referencedTableName: 'connectors',
            referencedColumnNames: ['tenant_id', 'id'],
            onDelete: 'RESTRICT',
          }),
        ],
      }),
    );
    await queryRunner.createIndex(
      'actions',
      new TableIndex({
        name: 'ix_actions_tenant_rule_position',
        columnNames: ['tenant_id', 'rule_id', 'position'],
      }),
    );
    await queryRunner.createIndex(
      'actions',
      new TableIndex({ name: 'ix_actions_tenant_connector', columnNames: ['tenant_id', 'connector_id'] }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'usage_counters',
        columns: [
          { ...c.ref('tenant_id'), isPrimary: true },
          { ...c.varchar('month', 7), isPrimary: true },
          c.bigint('rule_actions'),
          c.time('updated_at'),
        ],
        foreignKeys: [tenantFk('usage_counters')],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'usage_counters',
      'actions',
      'rules',
      'connectors',
      'sources',
      'api_keys',
      'tenants',
    ]) {
      await queryRunner.dropTable(table);
    }
  }
}
