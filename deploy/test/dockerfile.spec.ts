// No Docker engine runs in the test command, so the image is checked by reading: what the build
// needs is copied and not excluded by .dockerignore, and the runtime stage is small and not root.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '../..');
const lines = readFileSync(join(root, 'Dockerfile'), 'utf8')
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));
const stages = lines.reduce<string[][]>((acc, line) => {
  if (/^FROM\s/i.test(line)) acc.push([]);
  acc.at(-1)?.push(line);
  return acc;
}, []);
const [build = [], runtime = []] = stages;
const ignored = readFileSync(join(root, '.dockerignore'), 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));

/** Sources of the COPY instructions of a stage that read the build context. */
const copied = (stage: string[]) =>
  stage
    .filter((l) => /^COPY\s/.test(l) && !l.includes('--from='))
    .flatMap((l) =>
      l
        .replace(/^COPY\s+/, '')
        .split(/\s+/)
        .slice(0, -1),
    );

describe('Dockerfile', () => {
  it('has a build stage and a runtime stage on node:20-bookworm-slim', () => {
    expect(stages).toHaveLength(2);
    expect(lines).toContain('ARG NODE_IMAGE=node:20-bookworm-slim');
    expect(build[0]).toMatch(/^FROM \$\{NODE_IMAGE\} AS build$/);
    expect(runtime[0]).toMatch(/^FROM \$\{NODE_IMAGE\} AS runtime$/);
  });

  it('installs the compilers better-sqlite3 needs in the build stage only', () => {
    const install = build.find((l) => l.includes('apt-get install')) ?? '';
    for (const pkg of ['python3', 'make', 'g++']) expect(install.split(/\s+/)).toContain(pkg);
    expect(runtime.some((l) => l.includes('apt-get'))).toBe(false);
  });

  it('copies everything `npm run build` reads, and .dockerignore excludes none of it', () => {
    const tsconfig = JSON.parse(readFileSync(join(root, 'tsconfig.build.json'), 'utf8')) as {
      include: string[];
    };
    const buf = readFileSync(join(root, 'buf.yaml'), 'utf8');
    const needed = [
      ...new Set(tsconfig.include.map((p) => p.split('/')[0]!)),
      ...[...buf.matchAll(/- path: (\S+)/g)].map((m) => m[1]!),
      'package.json',
      'package-lock.json',
      'tsconfig.base.json',
      'tsconfig.build.json',
      'buf.yaml',
      'buf.gen.yaml',
      'bin',
      'console',
    ];
    const sources = copied(build).map((s) => s.replace(/^\.\//, ''));
    expect(sources).toEqual(expect.arrayContaining(needed));
    expect(needed.filter((n) => ignored.includes(n) || ignored.includes(`${n}/`))).toEqual([]);
    expect(build.some((l) => /npm ci\b/.test(l))).toBe(true);
    expect(build.some((l) => l.includes('npm run build') && l.includes('npm prune --omit=dev'))).toBe(true);
  });

  it('ships the built console, which the gateway serves at /', () => {
    expect(runtime).toContain('COPY --from=build /app/console/dist ./console/dist');
    expect(ignored).toContain('console/dist');
  });

  it('keeps local installs, builds and secrets out of the context', () => {
    expect(ignored).toEqual(expect.arrayContaining(['**/node_modules', 'dist', '.git', '**/.env', 'data']));
  });

  it('runs the built CLI as a numeric non-root user, with the services ports exposed', () => {
    const user = runtime.find((l) => l.startsWith('USER '));
    expect(user).toMatch(/^USER [1-9]\d*:[1-9]\d*$/);
    expect(runtime.indexOf(user!)).toBeGreaterThan(runtime.findLastIndex((l) => /^(RUN|COPY)\s/.test(l)));
    expect(runtime).toContain('ENTRYPOINT ["node", "bin/sluice.js"]');
    const fromBuild = runtime.filter((l) => l.includes('--from=build')).map((l) => l.split(/\s+/).at(-1));
    expect(fromBuild).toEqual(
      expect.arrayContaining(['./node_modules', './dist', './bin', './package.json']),
    );
    const exposed = runtime
      .find((l) => l.startsWith('EXPOSE '))
      ?.split(/\s+/)
      .slice(1);
    expect(exposed).toEqual(expect.arrayContaining(['4000', '4001', '4002', '4003']));
  });
});
