import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from './eventually';
import { freePort } from './test-namespace';

/**
 * Finds `binary` (an absolute path or a name on PATH), installing `aptPackage` with apt-get when it
 * is missing (as scripts/ensure-services.sh does); throws a message that says what to install.
 */
export function ensureBinary(binary: string, aptPackage: string): string {
  const found = (): string | undefined => {
    if (binary.startsWith('/')) return existsSync(binary) ? binary : undefined;
    try {
      return (
        execFileSync('bash', ['-c', `command -v ${binary}`])
          .toString()
          .trim() || undefined
      );
    } catch {
      return undefined;
    }
  };
  const path = found();
  if (path) return path;
  aptInstall(aptPackage, binary);
  const installed = found();
  if (!installed) throw new Error(`${binary} is still missing after installing ${aptPackage}`);
  return installed;
}

/** Installs a Debian package with apt-get (we run as root in CI); throws a message that says what to install. */
export function aptInstall(aptPackage: string, missing: string): void {
  try {
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'ignore' });
    execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', aptPackage], {
      stdio: 'ignore',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  } catch (error) {
    throw new Error(
      `${missing} is missing and 'apt-get install ${aptPackage}' failed (${(error as Error).message}): install ${aptPackage} by hand`,
    );
  }
}

/** Whether something accepts TCP connections on 127.0.0.1:`port`. */
export function portOpen(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = tcpConnect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

/**
 * A server process of the test's own, on a free port with its data in a temp dir, that a fault
 * test may stop, start and restart. The shared servers on the standard ports are never touched.
 */
export abstract class PrivateServer {
  readonly dir: string;
  port = 0;
  output = '';
  private child?: ChildProcess;
  private exited?: Promise<void>;

  constructor(readonly name: string) {
    this.dir = mkdtempSync(join(tmpdir(), `sluice-${name}-`));
  }

  protected abstract command(): { file: string; args: string[] };

  /** The server's environment (the test's own by default). */
  protected environment(): NodeJS.ProcessEnv {
    return process.env;
  }

  get pid(): number {
    return this.child?.pid ?? 0;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /** Starts the server (on the same port and data dir as before after a stop) and waits for its port. */
  async start(): Promise<this> {
    if (this.port === 0) this.port = await freePort();
    this.prepare();
    const { file, args } = this.command();
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], env: this.environment() });
    const keep = (chunk: Buffer): void =>
      void (this.output = (this.output + chunk.toString()).slice(-20_000));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((done) => child.once('exit', () => done()));
    this.child = child;
    let gone = false;
    void this.exited.then(() => (gone = true));
    await eventually(
      async () => {
        if (gone) throw new Error(`${this.name} exited at start:\n${this.output}`);
        if (!(await portOpen(this.port))) throw new Error(`${this.name} not listening on ${this.port} yet`);
      },
      { timeoutMs: 30_000, intervalMs: 50 },
    );
    return this;
  }

  /** Writes config files before each start. */
  protected prepare(): void {}

  /** Stops the server (SIGTERM, a clean shutdown that keeps its data) and waits for the exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child) return;
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.kill(signal);
    await this.exited;
    clearTimeout(timer);
    this.child = undefined;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Stops the server and removes its data; safe to call when it never started. */
  async cleanup(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** nats-server with JetStream, its store in the temp dir (kept across restarts). */
export class PrivateNats extends PrivateServer {
  constructor() {
    super('nats');
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  protected command() {
    const file = ensureBinary('/usr/sbin/nats-server', 'nats-server');
    return { file, args: ['-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', this.dir] };
  }
}

/**
 * nats-server with the mesh's own account as deploy/compose/nats/nats.conf configures it (that very
 * file): Sluice's services log in as `sluice` with `password`; nobody else logs in.
 */
export class MeshAccountNats extends PrivateNats {
  constructor(readonly password: string) {
    super();
  }

  protected override command() {
    const { file, args } = super.command();
    const conf = join(__dirname, '../../deploy/compose/nats/nats.conf');
    return { file, args: ['-c', conf, ...args] };
  }

  protected override environment(): NodeJS.ProcessEnv {
    return { ...process.env, SLUICE_NATS_PASSWORD: this.password };
  }
}

/**
 * Mosquitto with persistence on (a restart keeps persistent sessions and their queued QoS 1
 * messages), Nagle off as docs/benchmarks.md advises, and no limit on queued messages per session so the
 * broker, not the test's configuration, is what a fault exercises.
 */
export class PrivateMosquitto extends PrivateServer {
  constructor() {
    super('mosquitto');
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  protected override prepare(): void {
    const conf = [
      `listener ${this.port} 127.0.0.1`,
      'allow_anonymous true',
      'persistence true',
      `persistence_location ${this.dir}/`,
      'set_tcp_nodelay true',
      'max_queued_messages 0',
      'max_inflight_messages 0',
      // why: mosquitto started as root switches to this user, which must own the data dir
      'user mosquitto',
    ].join('\n');
    writeFileSync(join(this.dir, 'mosquitto.conf'), `${conf}\n`);
    chownTree(this.dir, 'mosquitto');
  }

  protected command() {
    const file = ensureBinary('mosquitto', 'mosquitto');
    return { file, args: ['-c', join(this.dir, 'mosquitto.conf')] };
  }
}

/** Gives `dir` to an OS user when we are root (servers that drop privileges need to write there). */
export function chownTree(dir: string, user: string): void {
  if (process.getuid?.() !== 0) return;
  const uid = Number(execFileSync('id', ['-u', user]).toString().trim());
  const gid = Number(execFileSync('id', ['-g', user]).toString().trim());
  chownSync(dir, uid, gid);
}
