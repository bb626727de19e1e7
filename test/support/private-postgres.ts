import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { aptInstall, chownTree, portOpen } from './private-server';
import { freePort } from './test-namespace';

const run = promisify(execFile);

/** The newest PostgreSQL server binaries under /usr/lib/postgresql/<version>/bin, installing them if missing. */
function postgresBin(): string {
  const find = (): string | undefined => {
    if (!existsSync('/usr/lib/postgresql')) return undefined;
    const versions = readdirSync('/usr/lib/postgresql')
      .filter((v) => existsSync(`/usr/lib/postgresql/${v}/bin/pg_ctl`))
      .sort((a, b) => Number(a) - Number(b));
    const newest = versions[versions.length - 1];
    return newest ? `/usr/lib/postgresql/${newest}/bin` : undefined;
  };
  const found = find();
  if (found) return found;
  aptInstall('postgresql', 'PostgreSQL (/usr/lib/postgresql/*/bin)');
  const installed = find();
  if (!installed) throw new Error('PostgreSQL binaries are still missing after installing postgresql');
  return installed;
}

/**
 * A PostgreSQL cluster of the test's own: `initdb` into a temp dir (as the `postgres` OS user, since
 * initdb refuses root), then `pg_ctl` on a free port with its unix socket in the same temp dir and
 * trust authentication for local connections. Stop it to simulate an outage; start brings it back
 * with its data.
 */
export class PrivatePostgres {
  readonly dir = mkdtempSync(join(tmpdir(), 'sluice-pg-'));
  port = 0;
  private bin = '';
  private started = false;

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  private get data(): string {
    return join(this.dir, 'data');
  }

  /** Runs a PostgreSQL binary as the postgres user when we are root. */
  private async as(binary: string, args: string[]): Promise<string> {
    const file = join(this.bin, binary);
    const root = process.getuid?.() === 0;
    const { stdout } = await run(
      root ? 'runuser' : file,
      root ? ['-u', 'postgres', '--', file, ...args] : args,
      {
        timeout: 60_000,
      },
    );
    return stdout;
  }

  async start(): Promise<this> {
    if (this.port === 0) {
      this.bin = postgresBin();
      this.port = await freePort();
      chownTree(this.dir, 'postgres');
      await this.as('initdb', ['-D', this.data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
    }
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
    try {
      await this.as('pg_ctl', ['-D', this.data, '-o', options, '-l', join(this.dir, 'log'), '-w', 'start']);
    } catch (error) {
      throw new Error(`private PostgreSQL did not start: ${(error as Error).message}\n${this.log()}`);
    }
    this.started = true;
    if (!(await portOpen(this.port))) throw new Error(`private PostgreSQL not listening on ${this.port}`);
    return this;
  }

  /** Fast shutdown: open connections are cut, as a crash or a failover would. */
  async stop(): Promise<void> {
    if (!this.started) return;
    await this.as('pg_ctl', ['-D', this.data, '-m', 'fast', '-w', 'stop']);
    this.started = false;
  }

  /** Stops the cluster if it runs and removes its data. */
  async cleanup(): Promise<void> {
    await this.stop().catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }

  log(): string {
    try {
      return readFileSync(join(this.dir, 'log'), 'utf8').slice(-4000);
    } catch {
      return '';
    }
  }
}
