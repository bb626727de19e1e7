import type { DataSource } from 'typeorm';
import { checkDatabase } from '@sluice/persistence';
import { createDataSource } from '../src/data-source';
import { migrations } from '../src/migrations/migrations';
import { backendFactories, postgresBackend, sqliteBackend, type Backend } from './backends';
import { freePort, testServers } from '../../../test/support';

const tables = ['tenants', 'api_keys', 'sources', 'connectors', 'rules', 'actions', 'usage_counters'];

async function existingTables(ds: DataSource): Promise<string[]> {
  const runner = ds.createQueryRunner();
  try {
    const present: string[] = [];
    for (const table of tables) if (await runner.hasTable(table)) present.push(table);
    return present;
  } finally {
    await runner.release();
  }
}

describe.each(backendFactories)('migrations on %o', (factory) => {
  let backend: Backend;
  let ds: DataSource;

  beforeAll(async () => {
    backend = factory();
    ds = await backend.open();
  });

  afterAll(async () => {
    if (ds?.isInitialized) await ds.destroy();
    await backend.dispose();
  });

  it('creates every table at start', async () => {
    expect(await existingTables(ds)).toEqual(tables);
  });

  it('is idempotent: running again applies nothing, and a second DataSource starts on the migrated database', async () => {
    expect(await ds.runMigrations()).toEqual([]);
    const again = await backend.open();
    try {
      expect(await again.showMigrations()).toBe(false); // false: nothing pending
      expect(await existingTables(again)).toEqual(tables);
    } finally {
      await again.destroy();
    }
  });

  it('undoes the migration (down) and re-applies it (up)', async () => {
    for (let n = 0; n < migrations.length; n++) await ds.undoLastMigration();
    expect(await existingTables(ds)).toEqual([]);
    expect(await ds.showMigrations()).toBe(true);
    const applied = await ds.runMigrations();
    expect(applied.map((m) => m.name)).toEqual([
      'InitialSchema1795307900000',
      'ConnectorConfiguredBy1796500000000',
      'SourceConfiguredBy1796600000000',
    ]);
    expect(await existingTables(ds)).toEqual(tables);
  });

  it('matches the entities: the same columns, nullability and primary keys in every table', async () => {
    const runner = ds.createQueryRunner();
    try {
      for (const metadata of ds.entityMetadatas) {
        const table = await runner.getTable(metadata.tablePath);
        expect(table, metadata.tableName).toBeDefined();
        const actual = Object.fromEntries(table!.columns.map((c) => [c.name, c.isNullable]));
        const expected = Object.fromEntries(metadata.columns.map((c) => [c.databaseName, c.isNullable]));
        expect(actual, metadata.tableName).toEqual(expected);
        expect(table!.primaryColumns.map((c) => c.name).sort()).toEqual(
          metadata.primaryColumns.map((c) => c.databaseName).sort(),
        );
      }
    } finally {
      await runner.release();
    }
  });

  it('answers the health probe while connected and reports down after destroy', async () => {
    const probe = await backend.open();
    const up = await checkDatabase(probe);
    expect(up.status).toBe('up');
    await probe.destroy();
    expect(await checkDatabase(probe)).toEqual({ status: 'down', detail: 'not connected' });
  });
});

describe('a database that is not there', () => {
  it('fails to start when PostgreSQL refuses the connection', async () => {
    const port = await freePort();
    await expect(
      createDataSource({
        type: 'postgres',
        url: `postgres://sluice:sluice@127.0.0.1:${port}/sluice_test`,
        poolSize: 1,
      }),
    ).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe('SQLite specifics', () => {
  const backend = sqliteBackend();
  let ds: DataSource;
  beforeAll(async () => {
    ds = await backend.open();
  });
  afterAll(async () => {
    await ds?.destroy();
    await backend.dispose();
  });

  it('turns on WAL, foreign keys and a busy timeout on SQLite', async () => {
    const [journal] = await ds.query<{ journal_mode: string }[]>('PRAGMA journal_mode');
    const [foreignKeys] = await ds.query<{ foreign_keys: number }[]>('PRAGMA foreign_keys');
    const [busy] = await ds.query<{ timeout: number }[]>('PRAGMA busy_timeout');
    expect(journal?.journal_mode).toBe('wal');
    expect(foreignKeys?.foreign_keys).toBe(1);
    expect(busy?.timeout).toBe(5000);
  });
});

describe('PostgreSQL specifics', () => {
  const backend = postgresBackend();
  let ds: DataSource;
  beforeAll(async () => {
    ds = await backend.open();
  });
  afterAll(async () => {
    await ds?.destroy();
    await backend.dispose();
  });

  it('lets replicas that start together on a fresh schema take turns migrating', async () => {
    const fresh = postgresBackend();
    try {
      const replicas = await Promise.all([fresh.open(), fresh.open(), fresh.open()]);
      for (const replica of replicas) expect(await existingTables(replica)).toEqual(tables);
      await Promise.all(replicas.map((r) => r.destroy()));
    } finally {
      await fresh.dispose();
    }
  });

  it('stores times as timestamptz, so the server time zone never shifts them', async () => {
    const rows = await ds.query<{ column_name: string; data_type: string }[]>(
      `SELECT column_name, data_type FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name = 'api_keys' AND column_name LIKE '%_at' ORDER BY column_name`,
    );
    expect(rows.map((r) => [r.column_name, r.data_type])).toEqual([
      ['created_at', 'timestamp with time zone'],
      ['last_used_at', 'timestamp with time zone'],
      ['revoked_at', 'timestamp with time zone'],
    ]);
  });

  it('reports down when no connection answers in time', async () => {
    const small = await createDataSource(
      { type: 'postgres', url: testServers.postgresUrl, poolSize: 1 },
      { schema: backend.schema! },
    );
    const holder = small.createQueryRunner();
    await holder.connect(); // the pool's only connection
    try {
      const health = await checkDatabase(small, 200);
      expect(health).toEqual({ status: 'down', detail: 'postgres: no answer within 200 ms' });
    } finally {
      await holder.release();
      await small.destroy();
    }
  });

  it('creates the tables in the named schema, not in public', async () => {
    const rows = await ds.query<{ table_schema: string }[]>(
      `SELECT DISTINCT table_schema FROM information_schema.tables WHERE table_name = 'usage_counters' AND table_schema = current_schema()`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]?.table_schema).toMatch(/^t_[0-9a-f]{8}$/);
  });
});
