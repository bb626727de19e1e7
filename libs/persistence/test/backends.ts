import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { createDataSource, type DataSourceSettings } from '../src/data-source';
import { type ResolvedDatabase } from '../src/persistence.config';
import { testNamespace, testServers } from '../../../test/support';

/** One database the shared suites run against: the real PostgreSQL (own schema) or a temp SQLite file. */
export interface Backend {
  name: 'postgres' | 'sqlite';
  db: ResolvedDatabase;
  /** The PostgreSQL schema this backend owns. */
  schema?: string;
  open(settings?: DataSourceSettings): Promise<DataSource>;
  /** Destroys what `open` created: the schema, or the temp directory. */
  dispose(): Promise<void>;
}

export function postgresBackend(): Backend {
  const schema = testNamespace().pgSchema;
  const db: ResolvedDatabase = { type: 'postgres', url: testServers.postgresUrl, poolSize: 20 };
  return {
    name: 'postgres',
    db,
    schema,
    open: (settings = {}) => createDataSource(db, { schema, ...settings }),
    async dispose() {
      const client = new Client({ connectionString: testServers.postgresUrl });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}

export function sqliteBackend(): Backend {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-persistence-'));
  const db: ResolvedDatabase = { type: 'sqlite', path: join(dir, 'sluice.db') };
  return {
    name: 'sqlite',
    db,
    open: (settings = {}) => createDataSource(db, settings),
    dispose: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
  };
}

export const backendFactories = [postgresBackend, sqliteBackend];
