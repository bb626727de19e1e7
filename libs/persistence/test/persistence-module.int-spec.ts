import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Test } from '@nestjs/testing';
import type { DataSource } from 'typeorm';
import {
  checkDatabase,
  PERSISTENCE_DATA_SOURCE,
  PersistenceModule,
  SecretBox,
  TenantsRepository,
} from '@sluice/persistence';
import { ConnectorsRepository } from '../src/repositories/connectors.repository';
import { createDataSource } from '../src/data-source';
import { type PersistenceConfig } from '../src/persistence.config';
import { postgresBackend } from './backends';
import { testServers } from '../../../test/support';

describe('PersistenceModule', () => {
  it('in the embedded mode: SQLite under SLUICE_DATA_DIR, repositories, a generated secret key, closed at shutdown', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sluice-module-'));
    try {
      const config: PersistenceConfig = { SLUICE_DATA_DIR: dataDir, SLUICE_DATABASE_POOL_SIZE: 10 };
      const moduleRef = await Test.createTestingModule({
        imports: [PersistenceModule.forRoot(config)],
      }).compile();
      const ds = moduleRef.get<DataSource>(PERSISTENCE_DATA_SOURCE);
      const tenants = moduleRef.get(TenantsRepository);
      const connectors = moduleRef.get(ConnectorsRepository);
      const box = moduleRef.get(SecretBox);

      const tenant = await tenants.create({ name: 'embedded', plan: 'free' });
      const sealed = box.sealJson({ password: 'pw' }, 'connector:c1');
      const created = await connectors.create(tenant.id, {
        name: 'c1',
        kind: 'http',
        config: {},
        secretsSealed: sealed,
        enabled: true,
      });
      const read = await connectors.require(tenant.id, created.id);
      expect(box.openJson(read.secretsSealed!, 'connector:c1')).toEqual({ password: 'pw' });
      expect(statSync(join(dataDir, 'sluice.db')).isFile()).toBe(true);
      expect(statSync(join(dataDir, 'secret.key')).mode & 0o777).toBe(0o600);

      await moduleRef.close();
      expect(ds.isInitialized).toBe(false);
      expect((await checkDatabase(ds)).status).toBe('down');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('in the mesh: PostgreSQL in the given schema; secrets need SLUICE_SECRET_KEY', async () => {
    const backend = postgresBackend();
    const config: PersistenceConfig = {
      SLUICE_DATABASE_URL: testServers.postgresUrl,
      SLUICE_DATA_DIR: './data',
      SLUICE_DATABASE_POOL_SIZE: 2,
    };
    const moduleRef = await Test.createTestingModule({
      imports: [PersistenceModule.forRoot(config, { schema: backend.schema! })],
    }).compile();
    try {
      const ds = moduleRef.get<DataSource>(PERSISTENCE_DATA_SOURCE);
      expect(ds.options.type).toBe('postgres');
      const tenant = await moduleRef.get(TenantsRepository).create({ name: 'mesh', plan: 'pro' });
      const [row] = await ds.query<{ name: string }[]>(`SELECT name FROM tenants WHERE id = $1`, [tenant.id]);
      expect(row?.name).toBe('mesh');
      expect(() => moduleRef.get(SecretBox).seal('x')).toThrow(/SLUICE_SECRET_KEY is required/);
    } finally {
      await moduleRef.close();
      await backend.dispose();
    }
  });

  describe('a database file that is not a database is an error, not a new installation', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'sluice-dbfile-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('refuses a zero-length file, naming it, and leaves it as it was', async () => {
      const path = join(dir, 'sluice.db');
      writeFileSync(path, '');
      const error = await createDataSource({ type: 'sqlite', path }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'DATABASE_FILE_INVALID' });
      expect((error as Error).message).toContain(`${path} is empty`);
      expect(statSync(path).size).toBe(0);
    });

    it('refuses a file that is not SQLite, naming it, and leaves it as it was', async () => {
      const path = join(dir, 'sluice.db');
      writeFileSync(path, 'tenants: [acme]\n'.repeat(100));
      const error = await createDataSource({ type: 'sqlite', path }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'DATABASE_FILE_INVALID' });
      expect((error as Error).message).toContain(`${path} is not a SQLite database`);
      expect(readFileSync(path, 'utf8')).toBe('tenants: [acme]\n'.repeat(100));
    });

    it('still opens a database it created before', async () => {
      const path = join(dir, 'sluice.db');
      const first = await createDataSource({ type: 'sqlite', path });
      await first.destroy();
      const again = await createDataSource({ type: 'sqlite', path });
      expect((await checkDatabase(again)).status).toBe('up');
      await again.destroy();
    });
  });

  describe('a missing or wrong secret.key while secrets are sealed in the database stops the start', () => {
    let dataDir: string;
    let config: PersistenceConfig;
    const start = () =>
      Test.createTestingModule({ imports: [PersistenceModule.forRoot(config)] })
        .compile()
        .then(async (moduleRef) => {
          await moduleRef.close();
          return 'started';
        });

    beforeEach(async () => {
      dataDir = mkdtempSync(join(tmpdir(), 'sluice-secretkey-'));
      config = { SLUICE_DATA_DIR: dataDir, SLUICE_DATABASE_POOL_SIZE: 10 };
      const moduleRef = await Test.createTestingModule({
        imports: [PersistenceModule.forRoot(config)],
      }).compile();
      const tenant = await moduleRef.get(TenantsRepository).create({ name: 'has-secrets', plan: 'free' });
      const connectors = moduleRef.get(ConnectorsRepository);
      const created = await connectors.create(tenant.id, {
        name: 'hook',
        kind: 'http',
        config: {},
        secretsSealed: null,
        enabled: true,
      });
      const sealed = moduleRef.get(SecretBox).sealJson({ password: 'pw' }, `connector:${created.id}`);
      await connectors.update(tenant.id, created.id, created.version, { secretsSealed: sealed });
      await moduleRef.close();
    });
    afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

    it('starts again with the key the secrets were sealed with', async () => {
      await expect(start()).resolves.toBe('started');
    });

    it('a missing key file: an error naming it, and no new key is written', async () => {
      const keyFile = join(dataDir, 'secret.key');
      rmSync(keyFile);
      const error = await start().catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'SECRET_KEY_INVALID' });
      expect((error as Error).message).toContain(`${keyFile} is missing`);
      expect(existsSync(keyFile)).toBe(false);
    });

    it('another key in the file: an error naming it', async () => {
      const keyFile = join(dataDir, 'secret.key');
      writeFileSync(keyFile, randomBytes(32).toString('base64'));
      const error = await start().catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'SECRET_KEY_INVALID' });
      expect((error as Error).message).toContain(
        `${keyFile} does not open the secrets stored in the database`,
      );
    });

    it('another key in SLUICE_SECRET_KEY: an error naming it', async () => {
      config = { ...config, SLUICE_SECRET_KEY: randomBytes(32).toString('hex') };
      const error = await start().catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'SECRET_KEY_INVALID' });
      expect((error as Error).message).toContain(
        'SLUICE_SECRET_KEY does not open the secrets stored in the database',
      );
    });
  });
});
