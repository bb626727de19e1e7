import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

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

  // Benchmark pages and ADRs are records of their day: a path there may name what was then.
  it('names files of the repository that exist, in links and in `code`', () => {
    const missing: string[] = [];
    const pages = [join(root, 'README.md'), ...docs()].filter(
      (path) => !/docs\/(benchmarks[^/]*|adr\/.*)\.md$/.test(path),
    );
    for (const path of pages) {
      const text = readFileSync(path, 'utf8');
      const linked = [...text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)]
        .map(([, target]) => target!)
        .filter((target) => !/^[a-z]+:/.test(target))
        .map((target) => resolve(dirname(path), target));
      const named = [
        ...text.matchAll(
          /`((?:libs|services|test|deploy|bench|scripts|examples|proto|console|bin|docs)\/[\w./-]+)`/g,
        ),
      ].map(([, file]) => join(root, file!));
      for (const file of [...linked, ...named])
        if (!existsSync(file)) missing.push(`${relative(root, path)}: ${relative(root, file)}`);
    }
    expect(missing).toEqual([]);
  });
});
