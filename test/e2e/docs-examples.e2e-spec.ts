import { spawn } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { Kind, parse, print, type DefinitionNode } from 'graphql';
import { freePort, SluiceProcess } from '../support';
import {
  docSteps,
  extractBlocks,
  matchAnswer,
  substitute,
  tagValue,
  type DocBlock,
  type DocStep,
} from '../support/doc-examples';

// Every ```graphql and ```sh example of README.md and docs/ runs here, page by page, against an
// embedded process of the page's own (docs/doc-examples.md: how to write one that runs).
const root = resolve(__dirname, '../..');

/** Examples that cannot run on a test machine: the page, the start of the block, and why. */
const skipped: { page: string; starts: string; why: string }[] = [
  {
    page: 'README.md',
    starts: 'npm ci && npm start',
    why: 'installs and starts Sluice on the default ports; this test starts its own process',
  },
  {
    page: 'README.md',
    starts: 'SLUICE_PIPELINE_FILE=examples/pipeline.json npm start',
    why: 'the default ports (1883, 4000) and a target on :8080; test/e2e/embedded-mode.e2e-spec.ts runs this flow',
  },
  {
    page: 'README.md',
    starts: 'npm run build',
    why: 'starts the four services of the mesh on fixed ports; test/e2e/replicas.e2e-spec.ts runs the mesh',
  },
  {
    page: 'docs/faults.md',
    starts: 'npm run build',
    why: 'runs a fault test of minutes; npm test runs the faults project',
  },
  {
    page: 'docs/observability.md',
    starts: 'OTEL_EXPORTER_OTLP_ENDPOINT=',
    why: 'needs an OpenTelemetry collector and the mesh; test/e2e/tracing.e2e-spec.ts exports to a receiver',
  },
  {
    page: 'docs/operations.md',
    starts: 'pg_dump',
    why: "the mesh's PostgreSQL database; the embedded process this test starts keeps SQLite",
  },
];

/** Whole kinds of examples that cannot run here, wherever they are. */
const skippedKinds: { pattern: RegExp; why: string }[] = [
  {
    pattern: /^\s*(kubectl|helm|docker)\b/m,
    why: 'Kubernetes, Helm or Docker: a test machine has no cluster or daemon (deploy/test checks the manifests)',
  },
];

function pages(dir = join(root, 'docs')): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return pages(path);
      return name.endsWith('.md') ? [relative(root, path)] : [];
    });
}

const allPages = ['README.md', ...pages()];
/** A shell example that talks to Sluice reads one of the settings the test gives it. */
const usesProcess = /SLUICE_(URL|ADMIN_KEY|HTTP_PORT|EMBEDDED_MQTT_PORT|DATA_DIR)|sluice dlq/;

const skipOf = (page: string, block: DocBlock) =>
  skipped.find((skip) => skip.page === page && block.body.startsWith(skip.starts)) ??
  skippedKinds.find((kind) => kind.pattern.test(block.body));

describe('the docs examples: skip list', () => {
  it('names each skipped block exactly once, and only blocks that exist', () => {
    const counts = skipped.map((skip) => {
      const blocks = extractBlocks(readFileSync(join(root, skip.page), 'utf8'));
      return `${skip.page}: ${skip.starts} x${blocks.filter((b) => b.body.startsWith(skip.starts)).length}`;
    });
    expect(counts).toEqual(skipped.map((skip) => `${skip.page}: ${skip.starts} x1`));
  });
});

/** The embedded process the pages share, started for the first page that needs it. */
interface Shared {
  sluice: SluiceProcess;
  adminKey: string;
  env: Record<string, string>;
}
const dataDir = mkdtempSync(join(tmpdir(), 'sluice-docs-'));
let shared: Promise<Shared> | undefined;

// why one process for all pages: each start costs ~2 s of CPU and ~6 s on a loaded machine; pages
// stay apart by making tenants of their own names (docs/doc-examples.md) and a shell of their own
function sharedProcess(): Promise<Shared> {
  shared ??= (async () => {
    const env = {
      SLUICE_HTTP_PORT: String(await freePort()),
      SLUICE_EMBEDDED_MQTT_PORT: String(await freePort()),
      SLUICE_DATA_DIR: dataDir,
      // why: no example may reach for this machine's NATS
      SLUICE_NATS_URL: 'nats://127.0.0.1:1',
    };
    const sluice = new SluiceProcess('all', env).start();
    await sluice.ready();
    return { sluice, adminKey: readFileSync(join(dataDir, 'operator.key'), 'utf8').trim(), env };
  })();
  return shared;
}

afterAll(async () => {
  if (shared) await (await shared).sluice.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

for (const page of allPages) {
  const steps = docSteps(extractBlocks(readFileSync(join(root, page), 'utf8'))).filter(
    (step) => !skipOf(page, step.block),
  );
  if (steps.length === 0) continue;

  // why: a page of offline examples (`sluice rule test`) needs no process
  const needsProcess = steps.some((step) => step.kind === 'graphql' || usesProcess.test(step.block.body));

  describe(`the examples of ${page}`, () => {
    const captures = new Map<string, unknown>();
    let running: Shared | undefined;
    let shell: ShellSession;

    beforeAll(async () => {
      running = needsProcess ? await sharedProcess() : undefined;
      shell = new ShellSession(
        running
          ? {
              ...running.env,
              SLUICE_URL: `http://127.0.0.1:${running.sluice.port}`,
              SLUICE_ADMIN_KEY: running.adminKey,
            }
          : {},
      );
    });

    afterAll(() => shell?.close());

    for (const step of steps) {
      it(`${page}:${step.block.line} (${step.block.lang})`, async () => {
        if (step.kind === 'shell') return shell.run(step, captures);
        await runGraphql(step, running!.sluice.port, running!.adminKey, captures);
      });
    }
  });
}

interface GraphqlResponse {
  data?: Record<string, unknown> | null;
  errors?: unknown[];
}

async function runGraphql(step: DocStep, port: number, adminKey: string, captures: Map<string, unknown>) {
  const keyName = tagValue(step.block, 'key');
  const key = keyName === undefined ? adminKey : captures.get(keyName);
  if (typeof key !== 'string') throw new Error(`key=${keyName}: no such value captured on this page before`);
  const variables = step.variables ? (JSON.parse(substitute(step.variables.body, captures)) as object) : {};
  const document = parse(substitute(step.block.body, captures));
  const fragments = document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION);
  const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  const expected = step.answer ? (JSON.parse(step.answer.body) as Record<string, unknown>) : undefined;
  const whole = expected !== undefined && ('errors' in expected || 'data' in expected);
  if (whole && operations.length > 1)
    throw new Error('an answer with "errors" or "data" needs one operation');

  const mismatches: string[] = [];
  const seen = new Set<string>();
  for (const operation of operations) {
    const query = [operation, ...fragments].map((d: DefinitionNode) => print(d)).join('\n');
    const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as GraphqlResponse;
    if (whole) {
      mismatches.push(...matchAnswer(expected, body, captures));
      continue;
    }
    expect(body.errors, `${query}\n${JSON.stringify(body.errors, null, 2)}`).toBeUndefined();
    expect(body.data).toBeTruthy();
    for (const [field, value] of Object.entries(body.data ?? {})) {
      if (expected === undefined || !(field in expected)) continue;
      seen.add(field);
      mismatches.push(...matchAnswer(expected[field], value, captures, field));
    }
  }
  if (expected && !whole)
    for (const field of Object.keys(expected)) if (!seen.has(field)) mismatches.push(`${field}: missing`);
  expect(mismatches).toEqual([]);
}

/**
 * Runs a page's shell blocks one after the other in bash (`-euo pipefail`), in a scratch directory
 * with the repository's `examples/` and `sluice` on the PATH. Variables and functions a block
 * defines are there for the next ones; values captured from GraphQL answers come in as environment
 * variables, and a block's variables become captures.
 */
class ShellSession {
  private readonly dir = mkdtempSync(join(tmpdir(), 'sluice-docs-sh-'));
  private readonly state = join(this.dir, '.state.sh');
  private readonly values = join(this.dir, '.values');

  constructor(private readonly env: Record<string, string>) {
    mkdirSync(join(this.dir, '.bin'));
    const sluice = join(this.dir, '.bin', 'sluice');
    writeFileSync(sluice, `#!/bin/sh\nexec "${process.execPath}" "${join(root, 'bin/sluice.js')}" "$@"\n`);
    chmodSync(sluice, 0o755);
    symlinkSync(join(root, 'examples'), join(this.dir, 'examples'));
  }

  close(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  async run(step: DocStep, captures: Map<string, unknown>): Promise<void> {
    const exported = Object.fromEntries(
      [...captures].filter(
        ([name, value]) => /^[A-Za-z_]\w*$/.test(name) && ['string', 'number'].includes(typeof value),
      ),
    );
    const script = [
      'set -euo pipefail',
      '__base=" $(compgen -v | tr "\\n" " ") "',
      `[ -f ${this.state} ] && source ${this.state}`,
      '__save() {',
      `  { declare -f; for __v in $(compgen -v); do case "$__base" in *" $__v "*) ;; *) [[ $__v == __* || $__v == FUNCNAME ]] || declare -p "$__v";; esac; done; } > ${this.state}`,
      `  for __v in $(compgen -v); do case "$__base" in *" $__v "*) ;; *) [[ $__v == __* || $__v == FUNCNAME ]] || printf '%s\\0%s\\0' "$__v" "\${!__v-}";; esac; done > ${this.values}`,
      '}',
      'trap __save EXIT',
      step.block.body,
    ].join('\n');
    const { code, stdout, stderr } = await new Promise<{
      code: number | null;
      stdout: string;
      stderr: string;
    }>((done) => {
      const child = spawn('bash', ['-c', script], {
        cwd: this.dir,
        env: {
          PATH: `${join(this.dir, '.bin')}:${process.env['PATH'] ?? ''}`,
          HOME: this.dir,
          ...exported,
          ...this.env,
        },
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.on('close', (exit) => {
        clearTimeout(timer);
        done({ code: exit, stdout: out, stderr: err });
      });
    });
    expect(code, `${step.block.body}\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`).toBe(0);
    const fields = readFileSync(this.values, 'utf8').split('\0');
    for (let i = 0; i + 1 < fields.length; i += 2) captures.set(fields[i]!, fields[i + 1]);
    if (step.answer) {
      expect(matchAnswer(JSON.parse(step.answer.body), JSON.parse(stdout), captures), stdout).toEqual([]);
    }
  }
}
