import { InProcessConfigStore } from '@sluice/config-store';
import {
  parsePipelineDefinition,
  PipelineDefinitions,
  type StageLogger,
  type TenantDefinition,
} from '@sluice/pipeline';

const json = (value: unknown) => Buffer.from(JSON.stringify(value));

function recorder(): StageLogger & { errors: string[]; warnings: string[] } {
  const errors: string[] = [];
  const warnings: string[] = [];
  return {
    errors,
    warnings,
    log: () => undefined,
    warn: (m) => warnings.push(m),
    error: (m) => errors.push(m),
  };
}

const tenant = (id: string, sql = 'SELECT * FROM "a/#"') => ({
  id,
  connectors: [{ id: 'hook', kind: 'http', config: { url: 'http://127.0.0.1:1' } }],
  rules: [{ id: 'r1', sql, actions: [{ id: 'a1', connector: 'hook' }] }],
});

describe('PipelineDefinitions', () => {
  it('starts with the file tenants plus the store snapshot', async () => {
    const store = new InProcessConfigStore();
    await store.put('acme', json(tenant('acme')));
    const definitions = new PipelineDefinitions(
      parsePipelineDefinition({ tenants: [tenant('file-tenant')] }),
      store,
      recorder(),
    );
    await definitions.start();
    expect(
      definitions
        .current()
        .tenants.map((t) => t.id)
        .sort(),
    ).toEqual(['acme', 'file-tenant']);
  });

  it('tells listeners about each later change, in order, and about removals', async () => {
    const store = new InProcessConfigStore();
    const definitions = new PipelineDefinitions(parsePipelineDefinition({}), store, recorder());
    await definitions.start();
    const seen: [string, string | null][] = [];
    definitions.onChange(
      (id, def: TenantDefinition | null) => void seen.push([id, def?.rules[0]?.sql ?? null]),
    );
    await store.put('acme', json(tenant('acme', 'SELECT 1 FROM "x"')));
    await store.put('acme', json(tenant('acme', 'SELECT 2 FROM "x"')));
    await store.delete('acme');
    await definitions.settled();
    expect(seen).toEqual([
      ['acme', 'SELECT 1 FROM "x"'],
      ['acme', 'SELECT 2 FROM "x"'],
      ['acme', null],
    ]);
    expect(definitions.current().tenants).toEqual([]);
  });

  it('ignores an entry that is not a valid tenant, keeping the running one, and says why', async () => {
    const store = new InProcessConfigStore();
    const log = recorder();
    const definitions = new PipelineDefinitions(parsePipelineDefinition({}), store, log);
    await definitions.start();
    await store.put('acme', json(tenant('acme')));
    await store.put('acme', Buffer.from('{ not json'));
    await store.put('acme', json({ id: 'acme', rules: [{ id: 'r', sql: '' }] }));
    await store.put('acme', json(tenant('other')));
    await definitions.settled();
    expect(definitions.current().tenants.map((t) => t.rules[0]?.sql)).toEqual(['SELECT * FROM "a/#"']);
    expect(log.errors).toHaveLength(3);
    expect(log.errors[0]).toMatch(/ignoring tenant 'acme' from the config store/);
    expect(log.errors[2]).toMatch(/holds tenant 'other'/);
  });

  it('does not let the store override a tenant of the pipeline file', async () => {
    const store = new InProcessConfigStore();
    const log = recorder();
    const definitions = new PipelineDefinitions(
      parsePipelineDefinition({ tenants: [tenant('acme')] }),
      store,
      log,
    );
    await definitions.start();
    await store.put('acme', json(tenant('acme', 'SELECT 9 FROM "z"')));
    await definitions.settled();
    expect(definitions.current().tenants[0]!.rules[0]!.sql).toBe('SELECT * FROM "a/#"');
    expect(log.warnings[0]).toMatch(/defined in the pipeline file/);
  });

  it('reports a listener that fails and goes on with the next change', async () => {
    const store = new InProcessConfigStore();
    const log = recorder();
    const definitions = new PipelineDefinitions(parsePipelineDefinition({}), store, log);
    await definitions.start();
    const applied: string[] = [];
    definitions.onChange((_id, def) => {
      const sql = def?.rules[0]?.sql ?? '';
      if (sql.includes('bad')) throw new Error('does not compile');
      applied.push(sql);
    });
    await store.put('acme', json(tenant('acme', 'SELECT bad FROM "x"')));
    await store.put('acme', json(tenant('acme', 'SELECT good FROM "x"')));
    await definitions.settled();
    expect(applied).toEqual(['SELECT good FROM "x"']);
    expect(log.errors[0]).toMatch(/applying tenant 'acme' failed: does not compile/);
  });
});
