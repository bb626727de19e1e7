import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { eventually } from './eventually';

const bin = resolve(__dirname, '../../bin/sluice.js');

/** A Sluice service started as its own process from the built CLI (`npm run build` first). */
export class SluiceProcess {
  private child?: ChildProcess;
  /** stdout and stderr interleaved. */
  output = '';
  /** stdout alone (where the JSON log lines go). */
  stdout = '';
  stderr = '';
  exitCode: number | null | undefined;

  constructor(
    readonly service: 'ingest' | 'rules' | 'delivery' | 'gateway' | 'all',
    readonly env: Record<string, string>,
  ) {}

  /** The process id while it runs (0 before the first start). */
  get pid(): number {
    return this.child?.pid ?? 0;
  }

  get port(): number {
    return Number(this.env['SLUICE_HTTP_PORT']);
  }

  start(): this {
    this.exitCode = undefined;
    const child = spawn(process.execPath, [bin, 'start', this.service], {
      env: {
        PATH: process.env['PATH'] ?? '',
        SLUICE_LOG_LEVEL: 'log',
        // why: the tests' targets run on 127.0.0.1; the operator's setting allows them, the default does not
        SLUICE_CONNECTOR_TARGETS_ALLOW: 'loopback',
        ...this.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      this.output += chunk.toString();
      this.stdout += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      this.output += chunk.toString();
      this.stderr += chunk.toString();
    });
    child.on('exit', (code) => (this.exitCode = code));
    this.child = child;
    return this;
  }

  /** Waits until `/health/ready` answers 200; fails with the process output if it exits first. */
  async ready(timeoutMs = 60_000): Promise<this> {
    await eventually(
      async () => {
        if (this.exitCode !== undefined) {
          throw new Error(`${this.service} exited with ${this.exitCode}:\n${this.output}`);
        }
        const response = await fetch(`http://127.0.0.1:${this.port}/health/ready`);
        if (response.status !== 200) throw new Error(`${this.service} not ready: ${await response.text()}`);
      },
      { timeoutMs, intervalMs: 100 },
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n--- ${this.service} output ---\n${this.output}`);
    });
    return this;
  }

  /** Sends `signal` and waits for the exit; returns the exit code. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 20_000): Promise<number | null> {
    const child = this.child;
    if (!child || this.exitCode !== undefined) return this.exitCode ?? null;
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    try {
      return await exited;
    } finally {
      clearTimeout(timer);
    }
  }
}
