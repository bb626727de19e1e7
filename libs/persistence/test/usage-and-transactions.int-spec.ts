import type { DataSource } from 'typeorm';
import { withTransaction, type Repositories, type Tenant } from '@sluice/persistence';
import { createRepositories } from '../src/repositories/repositories';
import { backendFactories, type Backend } from './backends';

class QuotaExceeded extends Error {}

describe.each(backendFactories)('usage and transactions on %o', (factory) => {
  let backend: Backend;
  let ds: DataSource;
  let repos: Repositories;
  let a: Tenant;
  let b: Tenant;

  beforeAll(async () => {
    backend = factory();
    ds = await backend.open();
    repos = createRepositories(ds.manager);
    a = await repos.tenants.create({ name: 'acme', plan: 'free' });
    b = await repos.tenants.create({ name: 'globex', plan: 'free' });
  });

  afterAll(async () => {
    if (ds?.isInitialized) await ds.destroy();
    await backend.dispose();
  });

  describe('usage counters', () => {
    it('sums 50 concurrent increments exactly, per tenant and month', async () => {
      // n = 1..50 adds up to 50 * 51 / 2 = 1275
      const totals = await Promise.all(
        Array.from({ length: 50 }, (_, i) => repos.usage.increment(a.id, '2026-11', i + 1)),
      );
      expect(await repos.usage.get(a.id, '2026-11')).toBe(1275);
      // every call saw its own addition applied: the largest return is the final total
      expect(Math.max(...totals)).toBe(1275);
      expect(new Set(totals).size).toBe(50);
      expect(await repos.usage.get(b.id, '2026-11')).toBe(0);
      expect(await repos.usage.get(a.id, '2026-12')).toBe(0);
    });

    it('keeps months apart and lists them newest first', async () => {
      await repos.usage.increment(b.id, '2026-09', 7);
      await repos.usage.increment(b.id, '2026-10', 2);
      await repos.usage.increment(b.id, '2026-10', 3);
      const months = await repos.usage.list(b.id);
      expect(months.map((m) => [m.month, m.ruleActions])).toEqual([
        ['2026-10', 5],
        ['2026-09', 7],
      ]);
    });

    it('counts beyond 2^31 (a bigint column)', async () => {
      const big = 3_000_000_000;
      expect(await repos.usage.increment(b.id, '2025-01', big)).toBe(big);
      expect(await repos.usage.increment(b.id, '2025-01', big)).toBe(2 * big);
      expect(await repos.usage.get(b.id, '2025-01')).toBe(2 * big);
    });

    it('refuses a malformed month, a negative count, and an unknown tenant', async () => {
      await expect(repos.usage.increment(a.id, '2026-13', 1)).rejects.toThrow(RangeError);
      await expect(repos.usage.increment(a.id, '2026-1', 1)).rejects.toThrow(RangeError);
      await expect(repos.usage.increment(a.id, '2026-11', -1)).rejects.toThrow(RangeError);
      await expect(
        repos.usage.increment('00000000-0000-0000-0000-000000000000', '2026-11', 1),
      ).rejects.toMatchObject({
        code: 'PERSISTENCE_REFERENCE_NOT_FOUND',
      });
    });
  });

  describe('withTransaction', () => {
    it('commits when the work resolves and rolls everything back when it throws', async () => {
      const kept = await withTransaction(ds, (tx) =>
        tx.rules.create(a.id, { name: 'kept', sql: 'SELECT 1 FROM "a"', description: '', enabled: true }),
      );
      await expect(
        withTransaction(ds, async (tx) => {
          await tx.rules.create(a.id, {
            name: 'rolled-back',
            sql: 'SELECT 1 FROM "a"',
            description: '',
            enabled: true,
          });
          await tx.usage.increment(a.id, '2030-01', 5);
          throw new Error('changed my mind');
        }),
      ).rejects.toThrow('changed my mind');
      expect(await repos.rules.get(a.id, kept.id)).not.toBeNull();
      expect(await repos.rules.getByName(a.id, 'rolled-back')).toBeNull();
      expect(await repos.usage.get(a.id, '2030-01')).toBe(0);
    });

    it('enforces a quota under concurrency: 8 racing creates with a limit of 2 leave exactly 2', async () => {
      const t = await repos.tenants.create({ name: 'quota', plan: 'free' });
      const limit = 2;
      const attempts = Array.from({ length: 8 }, (_, i) =>
        withTransaction(ds, async (tx) => {
          await tx.tenants.lockForUpdate(t.id);
          if ((await tx.connectors.count(t.id)) >= limit) throw new QuotaExceeded();
          return tx.connectors.create(t.id, {
            name: `c${i}`,
            kind: 'http',
            config: {},
            secretsSealed: null,
            enabled: true,
          });
        }),
      );
      const results = await Promise.allSettled(attempts);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(limit);
      const reasons = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
      expect(reasons).toHaveLength(8 - limit);
      expect(reasons.every((r) => r instanceof QuotaExceeded)).toBe(true);
      expect(await repos.connectors.count(t.id)).toBe(limit);
    });

    it('lockForUpdate of an unknown tenant is NOT_FOUND', async () => {
      await expect(
        withTransaction(ds, (tx) => tx.tenants.lockForUpdate('00000000-0000-0000-0000-000000000000')),
      ).rejects.toMatchObject({ code: 'PERSISTENCE_NOT_FOUND' });
    });
  });

  describe('API keys', () => {
    it('authenticates the whole key only, until it is revoked', async () => {
      const { apiKey, key } = await repos.apiKeys.create(a.id, {
        name: 'ci',
        publishTopics: ['sensors/#'],
        rateLimit: 100,
      });
      expect(key.startsWith(`${apiKey.prefix}_`)).toBe(true);
      expect(apiKey.hash).not.toContain(key);
      expect(await repos.apiKeys.authenticate(key)).toMatchObject({
        id: apiKey.id,
        tenantId: a.id,
        publishTopics: ['sensors/#'],
      });
      const lastChar = key.at(-1) === 'A' ? 'B' : 'A';
      expect(await repos.apiKeys.authenticate(key.slice(0, -1) + lastChar)).toBeNull();
      expect(await repos.apiKeys.authenticate('garbage')).toBeNull();
      await expect(repos.apiKeys.revoke(b.id, apiKey.id)).rejects.toMatchObject({
        code: 'PERSISTENCE_NOT_FOUND',
      });
      const revoked = await repos.apiKeys.revoke(a.id, apiKey.id);
      expect(revoked.revokedAt).toBeInstanceOf(Date);
      expect(await repos.apiKeys.authenticate(key)).toBeNull();
    });

    it('keeps operator keys and each tenant’s keys apart', async () => {
      const operator = await repos.apiKeys.create(null, {
        name: 'root',
        publishTopics: ['#'],
        rateLimit: null,
      });
      const mine = await repos.apiKeys.create(a.id, { name: 'a-key', publishTopics: [], rateLimit: null });
      const theirs = await repos.apiKeys.create(b.id, { name: 'b-key', publishTopics: [], rateLimit: null });
      const operatorIds = (await repos.apiKeys.list(null)).items.map((k) => k.id);
      const aIds = (await repos.apiKeys.list(a.id)).items.map((k) => k.id);
      expect(operatorIds).toEqual([operator.apiKey.id]);
      expect(aIds).toContain(mine.apiKey.id);
      expect(aIds).not.toContain(theirs.apiKey.id);
      expect(aIds).not.toContain(operator.apiKey.id);
      expect(await repos.apiKeys.get(a.id, operator.apiKey.id)).toBeNull();
      expect(await repos.apiKeys.get(null, operator.apiKey.id)).toMatchObject({
        tenantId: null,
        rateLimit: null,
      });
      expect((await repos.apiKeys.authenticate(operator.key))?.tenantId).toBeNull();
    });

    it('keeps instants exact whatever the process time zone', async () => {
      const saved = process.env['TZ'];
      process.env['TZ'] = 'Asia/Kolkata'; // +05:30, so neither whole hours nor UTC
      try {
        const { apiKey } = await repos.apiKeys.create(a.id, {
          name: 'tz',
          publishTopics: [],
          rateLimit: null,
        });
        const at = new Date('2026-03-29T01:30:00.007Z');
        await repos.apiKeys.touch(apiKey.id, at);
        const read = await repos.apiKeys.get(a.id, apiKey.id);
        expect(read?.lastUsedAt?.toISOString()).toBe('2026-03-29T01:30:00.007Z');
        expect(read?.createdAt.getTime()).toBe(apiKey.createdAt.getTime());
      } finally {
        if (saved === undefined) delete process.env['TZ'];
        else process.env['TZ'] = saved;
      }
    });

    it('records the last use', async () => {
      const { apiKey } = await repos.apiKeys.create(a.id, {
        name: 'touched',
        publishTopics: [],
        rateLimit: null,
      });
      const at = new Date('2026-11-22T10:00:00.123Z');
      await repos.apiKeys.touch(apiKey.id, at);
      expect((await repos.apiKeys.get(a.id, apiKey.id))?.lastUsedAt?.toISOString()).toBe(at.toISOString());
    });
  });
});
