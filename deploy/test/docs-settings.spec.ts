import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const root = resolve(__dirname, '../..');

/** The TypeScript sources of libs/ and services/, tests aside. */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'test' || name === 'generated' ? [] : sources(path);
    return name.endsWith('.ts') && !/\.(spec|int-spec)\.ts$/.test(name) ? [path] : [];
  });
}

// A setting the configuration schemas accept is one an operator can only find in the docs: each is
// named in README.md or docs/ (the configuration table, or the page of its part).
describe('settings in the docs', () => {
  it('names every SLUICE_* key of a configuration schema', () => {
    const docs = [
      readFileSync(join(root, 'README.md'), 'utf8'),
      ...readdirSync(join(root, 'docs'))
        .filter((name) => name.endsWith('.md'))
        .map((name) => readFileSync(join(root, 'docs', name), 'utf8')),
    ].join('\n');
    const keys = new Map<string, string>();
    for (const file of [...sources(join(root, 'libs')), ...sources(join(root, 'services'))]) {
      for (const [, key] of readFileSync(file, 'utf8').matchAll(/^\s+(SLUICE_[A-Z0-9_]+)\??:\s/gm))
        keys.set(key!, relative(root, file));
    }
    expect(keys.size).toBeGreaterThan(50);
    const undocumented = [...keys]
      .filter(([key]) => !new RegExp(`\\b${key}\\b`).test(docs))
      .map(([key, file]) => `${key} (${file})`);
    expect(undocumented).toEqual([]);
  });
});
