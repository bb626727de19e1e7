import type { DataSource } from 'typeorm';
import { Rule, type Repositories, type Tenant } from '@sluice/persistence';
import { createRepositories } from '../src/repositories/repositories';
import { InvalidCursorError } from '../src/errors';
import { backendFactories, type Backend } from './backends';

describe.each(backendFactories)('sources and pagination on %o', (factory) => {
  let backend: Backend;
  let ds: DataSource;
  let repos: Repositories;
  let a: Tenant;

  beforeAll(async () => {
    backend = factory();
    ds = await backend.open();
    repos = createRepositories(ds.manager);
    a = await repos.tenants.create({ name: 'acme', plan: 'free' });
  });

  afterAll(async () => {
    if (ds?.isInitialized) await ds.destroy();
    await backend.dispose();
  });

  const rule = (name: string) => ({ name, sql: 'SELECT * FROM "t/#"', description: '', enabled: true });

  describe('sources', () => {
    it('stores the three source kinds and refuses any other', async () => {
      for (const kind of ['mqtt', 'kafka', 'nats'] as const) {
        await repos.sources.create(a.id, {
          name: `src-${kind}`,
          kind,
          config: { topics: ['a/#'] },
          secretsSealed: null,
          enabled: true,
        });
      }
      expect((await repos.sources.list(a.id, {}, { kind: 'kafka' })).items.map((s) => s.name)).toEqual([
        'src-kafka',
      ]);
      const bogus = {
        name: 'src-http',
        kind: 'http' as never,
        config: {},
        secretsSealed: null,
        enabled: true,
      };
      await expect(repos.sources.create(a.id, bogus)).rejects.toMatchObject({
        code: 'PERSISTENCE_INVALID_VALUE',
        category: 'BAD_INPUT',
      });
      expect(await repos.sources.getByName(a.id, 'src-http')).toBeNull();
    });
  });

  describe('pagination', () => {
    it('walks every row once, in (createdAt, id) order, ties included, and never another tenant’s', async () => {
      const t = await repos.tenants.create({ name: 'paged', plan: 'free' });
      const other = await repos.tenants.create({ name: 'paged-other', plan: 'free' });
      for (let i = 0; i < 7; i++) await repos.rules.create(t.id, rule(`r${i}`));
      for (let i = 0; i < 3; i++) await repos.rules.create(other.id, rule(`o${i}`));
      // four rows share one instant, so the id must break the tie
      const tie = new Date('2026-01-02T03:04:05.678Z');
      const all = await ds.getRepository(Rule).findBy({ tenantId: t.id });
      for (const row of all.slice(0, 4))
        await ds.getRepository(Rule).update({ id: row.id }, { createdAt: tie });
      const expected = (await ds.getRepository(Rule).findBy({ tenantId: t.id }))
        .map((row) => ({ at: row.createdAt.getTime(), id: row.id }))
        .sort((x, y) => x.at - y.at || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0))
        .map((x) => x.id);

      const seen: string[] = [];
      const flags: boolean[] = [];
      let after: string | null = null;
      do {
        const page = await repos.rules.list(t.id, { first: 3, after });
        seen.push(...page.items.map((r) => r.id));
        flags.push(page.hasNextPage);
        after = page.hasNextPage ? page.endCursor : null;
      } while (after);
      expect(seen).toEqual(expected);
      expect(flags).toEqual([true, true, false]);
    });

    it('refuses a cursor it did not issue', async () => {
      await expect(repos.rules.list(a.id, { after: 'not-a-cursor' })).rejects.toBeInstanceOf(
        InvalidCursorError,
      );
      const forged = Buffer.from(JSON.stringify(['yesterday', 'x'])).toString('base64url');
      await expect(repos.rules.list(a.id, { after: forged })).rejects.toMatchObject({
        category: 'BAD_INPUT',
      });
    });

    it('clamps the page size to at least 1 and treats a non-number as the default', async () => {
      const t = await repos.tenants.create({ name: 'clamped', plan: 'free' });
      for (let i = 0; i < 3; i++) await repos.rules.create(t.id, rule(`c${i}`));
      expect((await repos.rules.list(t.id, { first: 0 })).items).toHaveLength(1);
      expect((await repos.rules.list(t.id, { first: -5 })).items).toHaveLength(1);
      expect((await repos.rules.list(t.id, { first: Number.NaN })).items).toHaveLength(3);
    });

    it('returns an empty page with no cursor for a tenant with no rows', async () => {
      const empty = await repos.tenants.create({ name: 'empty', plan: 'free' });
      expect(await repos.rules.list(empty.id)).toEqual({ items: [], endCursor: null, hasNextPage: false });
    });
  });
});
