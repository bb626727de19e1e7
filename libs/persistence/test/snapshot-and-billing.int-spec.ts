import type { DataSource } from 'typeorm';
import { ConfigSnapshotReader, type Repositories } from '@sluice/persistence';
import { createRepositories } from '../src/repositories/repositories';
import { backendFactories, type Backend } from './backends';

describe.each(backendFactories)('operator reads on %o', (factory) => {
  let backend: Backend;
  let ds: DataSource;
  let repos: Repositories;

  beforeAll(async () => {
    backend = factory();
    ds = await backend.open();
    repos = createRepositories(ds.manager);
  });

  afterAll(async () => {
    if (ds?.isInitialized) await ds.destroy();
    await backend.dispose();
  });

  it('snapshots every tenant’s configuration, actions in rule order', async () => {
    const snapshot = new ConfigSnapshotReader(ds);
    expect(await snapshot.read()).toEqual({
      tenants: [],
      sources: [],
      connectors: [],
      rules: [],
      actions: [],
    });

    const a = await repos.tenants.create({ name: 'a', plan: 'free' });
    const b = await repos.tenants.create({ name: 'b', plan: 'free' });
    const ca = await repos.connectors.create(a.id, {
      name: 'c',
      kind: 'http',
      config: {},
      secretsSealed: null,
      enabled: true,
    });
    const ra = await repos.rules.create(a.id, {
      name: 'r',
      sql: 'SELECT * FROM "a/#"',
      description: '',
      enabled: true,
    });
    const rb = await repos.rules.create(b.id, {
      name: 'r',
      sql: 'SELECT * FROM "b/#"',
      description: '',
      enabled: false,
    });
    const later = await repos.actions.create(a.id, {
      ruleId: ra.id,
      connectorId: ca.id,
      config: {},
      enabled: true,
      position: 1,
    });
    const sooner = await repos.actions.create(a.id, {
      ruleId: ra.id,
      connectorId: ca.id,
      config: {},
      enabled: true,
      position: 0,
    });
    await repos.sources.create(b.id, {
      name: 's',
      kind: 'mqtt',
      config: { topics: ['b/#'] },
      secretsSealed: null,
      enabled: true,
    });

    const read = await snapshot.read();
    expect(read.tenants.map((t) => t.name).sort()).toEqual(['a', 'b']);
    expect(read.rules.map((r) => r.id).sort()).toEqual([ra.id, rb.id].sort());
    expect(read.rules.find((r) => r.id === rb.id)?.enabled).toBe(false);
    expect(read.connectors.map((c) => c.id)).toEqual([ca.id]);
    expect(read.actions.map((x) => x.id)).toEqual([sooner.id, later.id]);
    expect(read.sources.map((s) => [s.tenantId, s.config])).toEqual([[b.id, { topics: ['b/#'] }]]);
  });

  it('lists one month’s usage of every tenant for billing, largest first', async () => {
    const x = await repos.tenants.create({ name: 'x', plan: 'free' });
    const y = await repos.tenants.create({ name: 'y', plan: 'free' });
    await repos.usage.increment(x.id, '2026-10', 10);
    await repos.usage.increment(y.id, '2026-10', 1_500_000);
    await repos.usage.increment(x.id, '2026-11', 99);
    const october = await repos.usage.listMonth('2026-10');
    expect(october.map((u) => [u.tenantId, u.ruleActions])).toEqual([
      [y.id, 1_500_000],
      [x.id, 10],
    ]);
  });
});
