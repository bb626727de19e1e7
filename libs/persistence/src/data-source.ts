import { closeSync, openSync, readSync } from 'node:fs';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { entities } from './entities/entities';
import { DatabaseFileError } from './errors';
import { migrations } from './migrations/migrations';
import type { ResolvedDatabase } from './persistence.config';
import { SnakeNamingStrategy } from './snake-naming.strategy';

export interface DataSourceSettings {
  /** PostgreSQL schema to use (created when missing); tests use one per file. Ignored for SQLite. */
  schema?: string;
  /** Run pending migrations at start (default true). */
  migrationsRun?: boolean;
  logging?: boolean;
}

const SQLITE_BUSY_TIMEOUT_MS = 5_000;

/**
 * The TypeORM options for a resolved database, without connecting. Never `synchronize`: the schema
 * comes from the migrations, on PostgreSQL and SQLite alike.
 *
 * @example new DataSource(dataSourceOptions({ type: 'sqlite', path: '/tmp/x.db' }));
 */
export function dataSourceOptions(
  db: ResolvedDatabase,
  settings: DataSourceSettings = {},
): DataSourceOptions {
  const common = {
    entities,
    migrations,
    migrationsRun: settings.migrationsRun ?? true,
    migrationsTableName: 'sluice_migrations',
    migrationsTransactionMode: 'each' as const,
    namingStrategy: new SnakeNamingStrategy(),
    synchronize: false,
    logging: settings.logging ?? false,
  };
  if (db.type === 'postgres') {
    return {
      ...common,
      type: 'postgres',
      url: db.url,
      poolSize: db.poolSize,
      ...(settings.schema ? { schema: settings.schema } : {}),
      // why: raw SQL and the search path then agree with the entities' schema
      ...(settings.schema ? { extra: { options: `-c search_path=${quoteIdent(settings.schema)}` } } : {}),
    };
  }
  return {
    ...common,
    type: 'better-sqlite3',
    database: db.path,
    timeout: SQLITE_BUSY_TIMEOUT_MS,
    enableWAL: true, // readers do not block the writer; TypeORM also turns foreign keys on
    prepareDatabase: (sqlite: { pragma(sql: string): unknown }) => {
      sqlite.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
      sqlite.pragma('synchronous = NORMAL'); // why: durable with WAL, without an fsync per commit
    },
  };
}

/**
 * Connects, creates the PostgreSQL schema when one is named and missing, and applies pending
 * migrations (on PostgreSQL under an advisory lock, so replicas starting together take turns). The caller owns the result and calls `destroy()` at shutdown.
 *
 * @example const ds = await createDataSource(resolveDatabase(config));
 */
export async function createDataSource(
  db: ResolvedDatabase,
  settings: DataSourceSettings = {},
): Promise<DataSource> {
  const dataSource = new DataSource(dataSourceOptions(db, settings));
  if (db.type === 'sqlite') {
    checkSqliteFile(db.path);
    return dataSource.initialize();
  }
  // why a lock: gateway replicas start together, and TypeORM does not stop two of them from
  // running the same migration at once (the second fails on "relation already exists")
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- pg only where the database is PostgreSQL (docs/architecture.md, "Memory")
  const { Client } = require('pg') as typeof import('pg');
  const lock = new Client({ connectionString: db.url });
  await lock.connect();
  try {
    const scope = `sluice-migrations:${settings.schema ?? ''}`;
    await lock.query('SELECT pg_advisory_lock(hashtext($1))', [scope]);
    if (settings.schema) await lock.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(settings.schema)}`);
    return await dataSource.initialize();
  } finally {
    await lock.end(); // ending the session releases the lock
  }
}

export interface DatabaseHealth {
  status: 'up' | 'down';
  detail: string;
}

/**
 * A readiness probe: `SELECT 1` within `timeoutMs`.
 *
 * @example registry.register({ name: 'database', check: async () => ({ up: (await checkDatabase(ds)).status === 'up' }) });
 */
export async function checkDatabase(dataSource: DataSource, timeoutMs = 2_000): Promise<DatabaseHealth> {
  if (!dataSource.isInitialized) return { status: 'down', detail: 'not connected' };
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      dataSource.query('SELECT 1'),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { status: 'up', detail: `${dataSource.options.type} answered in ${Date.now() - started} ms` };
  } catch (error) {
    return { status: 'down', detail: `${dataSource.options.type}: ${(error as Error).message}` };
  } finally {
    clearTimeout(timer);
  }
}

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * A missing file is a new installation; an existing one must be a SQLite database. Why: SQLite
 * would treat a zero-length file (a failed copy, a full disk) as an empty database, and the gateway
 * would start as a new installation with no tenants.
 */
function checkSqliteFile(path: string): void {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  try {
    const header = Buffer.alloc(SQLITE_HEADER.length);
    const read = readSync(fd, header, 0, header.length, 0);
    if (read === 0) {
      throw new DatabaseFileError(
        `${path} is empty (zero length), not a Sluice database: restore it from a backup, or delete it to start a new installation`,
      );
    }
    if (read < header.length || !header.equals(SQLITE_HEADER)) {
      throw new DatabaseFileError(
        `${path} is not a SQLite database: restore it from a backup, or move it away to start a new installation`,
      );
    }
  } finally {
    closeSync(fd);
  }
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
