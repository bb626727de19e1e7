import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';

// The ingest pod's preStop hook (bin/ingest-prestop.js) against an HTTPS server that answers the one
// Kubernetes API call it makes, with the service-account files it reads. No API server can run on
// this machine, so this stands in for it at the HTTP level; the hook runs as Kubernetes runs it.
const hook = resolve(__dirname, '../../bin/ingest-prestop.js');

let dir: string;
let server: Server;
let port: number;
let answer: { status: number; body: unknown };
const requests: { path: string; authorization?: string }[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-prestop-'));
  execFileSync(
    'openssl',
    [
      ...[
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
      ],
      ...['-subj', '/CN=kubernetes', '-addext', 'subjectAltName=IP:127.0.0.1'],
      ...['-keyout', join(dir, 'tls.key'), '-out', join(dir, 'ca.crt')],
    ],
    { stdio: 'ignore' },
  );
  writeFileSync(join(dir, 'token'), 'the-pod-token\n');
  writeFileSync(join(dir, 'namespace'), 'sluice');
  server = createServer(
    { key: readFileSync(join(dir, 'tls.key')), cert: readFileSync(join(dir, 'ca.crt')) },
    (req, res) => {
      requests.push({ path: req.url ?? '', authorization: req.headers.authorization });
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
    },
  );
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise((done) => server.close(done));
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  requests.length = 0;
  rmSync(join(dir, 'retire'), { force: true });
});

/** A stand-in for the ingest process (PID 1 in the pod): says whether SIGUSR2 reached it. */
async function ingestProcess(): Promise<{ child: ChildProcess; retired: Promise<boolean> }> {
  const child = spawn(
    process.execPath,
    [
      '-e',
      "process.on('SIGUSR2', () => process.exit(42)); setInterval(() => {}, 1000); console.log('ready')",
    ],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  await new Promise((ready) => child.stdout.once('data', ready));
  const retired = new Promise<boolean>((done) => child.once('exit', (code) => done(code === 42)));
  return { child, retired };
}

async function runHook(pod: string): Promise<{ stdout: string; stderr: string; retired: boolean }> {
  const ingest = await ingestProcess();
  const result = await new Promise<{ stdout: string; stderr: string }>((done, fail) => {
    const run = spawn(process.execPath, [hook], {
      env: {
        PATH: process.env['PATH'],
        HOSTNAME: pod,
        KUBERNETES_SERVICE_HOST: '127.0.0.1',
        KUBERNETES_SERVICE_PORT: String(port),
        SLUICE_K8S_ACCOUNT_DIR: dir,
        SLUICE_RETIRE_MARK: join(dir, 'retire'),
        SLUICE_RETIRE_PID: String(ingest.child.pid),
      },
    });
    let stdout = '';
    let stderr = '';
    run.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    run.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    run.on('error', fail);
    run.on('exit', (code) =>
      code === 0 ? done({ stdout, stderr }) : fail(new Error(`exit ${code}: ${stderr}`)),
    );
  });
  // the signal, when sent, is sent before the hook exits; give its delivery a moment
  const retired = await Promise.race([
    ingest.retired,
    new Promise<boolean>((d) => setTimeout(() => d(false), 500)),
  ]);
  ingest.child.kill('SIGKILL');
  return { ...result, retired };
}

describe('ingest preStop hook', () => {
  it('retires a pod the StatefulSet no longer counts (scale-down 3 -> 2: ordinal 2 goes)', async () => {
    answer = { status: 200, body: { spec: { replicas: 2 } } };
    const run = await runHook('sluice-ingest-2');
    expect(run.retired).toBe(true);
    expect(requests).toEqual([
      {
        path: '/apis/apps/v1/namespaces/sluice/statefulsets/sluice-ingest',
        authorization: 'Bearer the-pod-token',
      },
    ]);
    expect(run.stdout).toContain('ordinal 2 >= replicas 2');
  });

  it('only stops a pod the StatefulSet still counts (a rollout or a restart keeps its sessions)', async () => {
    answer = { status: 200, body: { spec: { replicas: 3 } } };
    const run = await runHook('sluice-ingest-2');
    expect(run.retired).toBe(false);
    expect(run.stdout).toContain('sessions kept');
  });

  it('keeps the sessions when scaled to 0, so the broker queues while ingest is paused', async () => {
    answer = { status: 200, body: { spec: { replicas: 0 } } };
    expect((await runHook('sluice-ingest-0')).retired).toBe(false);
  });

  it('only stops, and says why on stderr, when the API refuses (no RBAC)', async () => {
    answer = { status: 403, body: { kind: 'Status', reason: 'Forbidden' } };
    const run = await runHook('sluice-ingest-2');
    expect(run.retired).toBe(false);
    expect(run.stderr).toMatch(/could not read the StatefulSet.*HTTP 403/);
  });

  it('retires a pod marked by hand whatever the StatefulSet says, without asking the API', async () => {
    answer = { status: 200, body: { spec: { replicas: 3 } } };
    writeFileSync(join(dir, 'retire'), '');
    const run = await runHook('sluice-ingest-1');
    expect(run.retired).toBe(true);
    expect(requests).toEqual([]);
  });
});
