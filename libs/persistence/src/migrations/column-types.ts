import type { QueryRunner, TableColumnOptions } from 'typeorm';

/**
 * Column definitions that mean the same on PostgreSQL and SQLite, so one migration set serves both.
 * Only the time type differs: `timestamptz` on PostgreSQL, `datetime` (ISO UTC text) on SQLite.
 */
export function columnKit(queryRunner: QueryRunner) {
  const postgres = queryRunner.connection.driver.options.type === 'postgres';
  const col = (name: string, type: string, extra: Partial<TableColumnOptions> = {}): TableColumnOptions => ({
    name,
    type,
    isNullable: false,
    ...extra,
  });
  return {
    id: (name = 'id') => col(name, 'varchar', { length: '36', isPrimary: name === 'id' }),
    ref: (name: string, isNullable = false) => col(name, 'varchar', { length: '36', isNullable }),
    varchar: (name: string, length: number) => col(name, 'varchar', { length: String(length) }),
    text: (name: string, isNullable = false) => col(name, 'text', { isNullable }),
    boolean: (name: string) => col(name, 'boolean'),
    integer: (name: string, isNullable = false) => col(name, 'integer', { isNullable }),
    bigint: (name: string) => col(name, 'bigint'),
    time: (name: string, isNullable = false) =>
      col(name, postgres ? 'timestamptz' : 'datetime', { isNullable }),
  };
}
