import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { registeredMetrics } from '../../test/support/registered-metrics';

const root = resolve(__dirname, '../..');
/** Names of that shape that are not metrics. */
const notMetrics = new Set(['sluice_migrations' /* the migrations table */]);

// The metrics the docs tell an operator to watch exist under those names. Benchmark pages and ADRs
// are records of a past run (a name there may be the one of that day), so they are left out.
describe('metric names in the docs', () => {
  it('are registered metrics (a name ending in _ is a family: some metric starts with it)', () => {
    const names = registeredMetrics().map((metric) => metric.name);
    const exists = (name: string) =>
      name.endsWith('_')
        ? names.some((known) => known.startsWith(name))
        : names.includes(name) || names.includes(name.replace(/_(bucket|sum|count)$/, ''));
    const pages = [
      'README.md',
      ...readdirSync(join(root, 'docs'))
        .filter((name) => name.endsWith('.md') && !name.startsWith('benchmarks'))
        .map((name) => `docs/${name}`),
    ];
    const unknown = pages.flatMap((page) =>
      [...readFileSync(join(root, page), 'utf8').matchAll(/\b(?:sluice|process|nodejs)_[a-z0-9_]+/g)]
        .map(([name]) => name)
        .filter((name) => !exists(name) && !notMetrics.has(name))
        .map((name) => `${page}: ${name}`),
    );
    expect([...new Set(unknown)]).toEqual([]);
  });
});
