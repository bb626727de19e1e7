import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const root = resolve(__dirname, '../..');

/** README.md and every Markdown file under docs/. */
function docs(dir = join(root, 'docs')): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return docs(path);
    return name.endsWith('.md') ? [path] : [];
  });
}

// The docs ship with the repository: a fact they rely on must be in it, not in a file of the machine
// they were written on.
describe('documentation links', () => {
  it('points at no file outside the repository', () => {
    const outside: string[] = [];
    for (const path of [join(root, 'README.md'), ...docs()]) {
      readFileSync(path, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (/BASELINES\.md|\/work\/|\.\.\/shared\//.test(line))
            outside.push(`${relative(root, path)}:${i + 1}`);
        });
    }
    expect(outside).toEqual([]);
  });
});
