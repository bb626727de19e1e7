import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { loadConfig } from '@sluice/config';
import { persistenceConfigShape } from '@sluice/persistence';
import { persistenceSensitiveSettings, resolveDatabase } from './persistence.config';

const schema = z.object(persistenceConfigShape);
const load = (env: Record<string, string>) => loadConfig(schema, env, { log: false });

describe('persistence configuration', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-config-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('defaults to SQLite in ./data with a pool of 10', () => {
    const config = load({});
    expect(config).toMatchObject({ SLUICE_DATA_DIR: './data', SLUICE_DATABASE_POOL_SIZE: 10 });
    expect(config.SLUICE_DATABASE_URL).toBeUndefined();
  });

  it('resolves SQLite under SLUICE_DATA_DIR and creates the directory', () => {
    const dataDir = join(dir, 'nested', 'data');
    const db = resolveDatabase(load({ SLUICE_DATA_DIR: dataDir }));
    expect(db).toEqual({ type: 'sqlite', path: join(dataDir, 'sluice.db') });
    expect(existsSync(dataDir)).toBe(true);
  });

  it('resolves a sqlite: URL to an absolute path and creates its directory', () => {
    const db = resolveDatabase(load({ SLUICE_DATABASE_URL: `sqlite:${join(dir, 'x', 'my.db')}` }));
    expect(db).toEqual({ type: 'sqlite', path: resolve(dir, 'x', 'my.db') });
    expect(existsSync(join(dir, 'x'))).toBe(true);
  });

  it('resolves postgres:// and postgresql:// with the pool size', () => {
    const url = 'postgres://u:p@db.example:5432/sluice';
    expect(resolveDatabase(load({ SLUICE_DATABASE_URL: url, SLUICE_DATABASE_POOL_SIZE: '25' }))).toEqual({
      type: 'postgres',
      url,
      poolSize: 25,
    });
    expect(resolveDatabase(load({ SLUICE_DATABASE_URL: 'postgresql://h/db' })).type).toBe('postgres');
  });

  it('names every bad setting at once', () => {
    expect(() => load({ SLUICE_DATABASE_URL: 'mysql://h/db', SLUICE_DATABASE_POOL_SIZE: '0' })).toThrow(
      /SLUICE_DATABASE_URL: expected postgres:\/\/.*SLUICE_DATABASE_POOL_SIZE: expected a positive integer/s,
    );
    expect(() => load({ SLUICE_DATABASE_POOL_SIZE: 'many' })).toThrow(/SLUICE_DATABASE_POOL_SIZE/);
  });

  it('marks the secret key as sensitive', () => {
    expect(persistenceSensitiveSettings).toContain('SLUICE_SECRET_KEY');
  });
});
