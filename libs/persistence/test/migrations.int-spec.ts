import type { DataSource } from 'typeorm';
import { checkDatabase, createDataSource } from '@sluice/persistence';
import { backendFactories, postgresBackend, sqliteBackend, type Backend } from './backends';
import { freePort } from '../../../test/support';

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
    await ds.undoLastMigration();
    expect(await existingTables(ds)).toEqual([]);
    expect(await ds.showMigrations()).toBe(true);
    const applied = await ds.runMigrations();
    expect(applied.map((m) => m.name)).toEqual(['InitialSchema1795307900000']);
    expect(await existingTables(ds)).toEqual(tables);
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

  it('creates the tables in the named schema, not in public', async () => {
    const rows = await ds.query<{ table_schema: string }[]>(
      `SELECT DISTINCT table_schema FROM information_schema.tables WHERE table_name = 'usage_counters' AND table_schema = current_schema()`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]?.table_schema).toMatch(/^t_[0-9a-f]{8}$/);
  });
});
