import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { connect } from 'nats';
import { deleteBusStreams } from '@sluice/bus';
import { cpuSeconds, delay, peakRssMiB } from './measure';

const bin = resolve(__dirname, '../../bin/sluice.js');

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => done(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** One Sluice service process started from the built CLI (`npm run build` first). */
export class ServiceProcess {
  output = '';
  exitCode: number | null | undefined;
  private child?: ChildProcess;

  constructor(
    readonly service: 'ingest' | 'rules' | 'delivery' | 'gateway' | 'all',
    readonly port: number,
    readonly env: Record<string, string>,
    readonly nodeArgs: string[] = [],
  ) {}

  get pid(): number {
    return this.child?.pid ?? 0;
  }

  start(): this {
    const child = spawn(process.execPath, [...this.nodeArgs, bin, 'start', this.service], {
      env: {
        PATH: process.env['PATH'] ?? '',
        SLUICE_LOG_LEVEL: 'warn',
        SLUICE_HTTP_PORT: String(this.port),
        ...this.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // Keep only the tail: a long run's log must not grow without bound.
    const keep = (chunk: Buffer): void =>
      void (this.output = (this.output + chunk.toString()).slice(-20_000));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.on('exit', (code) => (this.exitCode = code));
    this.child = child;
    return this;
  }

  async ready(timeoutMs = 60_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      if (this.exitCode !== undefined)
        throw new Error(`${this.service} exited (${this.exitCode}):\n${this.output}`);
      try {
        const response = await fetch(`http://127.0.0.1:${this.port}/health/ready`);
        if (response.status === 200) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > until)
        throw new Error(`${this.service} not ready in ${timeoutMs} ms:\n${this.output}`);
      await delay(100);
    }
  }

  /** The text of /metrics. */
  async metricsText(): Promise<string> {
    // why the key: the gateway and the embedded mode answer /metrics on their HTTP port only to the operator
    const key = this.env['SLUICE_ADMIN_KEY'];
    const headers: Record<string, string> = key ? { authorization: `Bearer ${key}` } : {};
    return (await fetch(`http://127.0.0.1:${this.port}/metrics`, { headers })).text();
  }

  /** The value of one metric on /metrics, summed over its label sets. */
  async metric(name: string): Promise<number> {
    const text = await this.metricsText();
    let sum = 0;
    for (const line of text.split('\n')) {
      if (line.startsWith(name) && (line[name.length] === ' ' || line[name.length] === '{')) {
        sum += Number(line.slice(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  cpu(): number {
    return cpuSeconds(this.pid);
  }

  peakRss(): number {
    return peakRssMiB(this.pid);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || this.exitCode !== undefined) return;
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }
}

/**
 * The benchmark pipeline: one MQTT source on `<topicPrefix>#`, a filter rule and a projection
 * rule (five fields, two function calls), each to its own HTTP connector and path on the target.
 * Returns the file's path.
 */
export function writeBenchPipeline(options: {
  id: string;
  topicPrefix: string;
  targetUrl?: string;
  withRules: boolean;
}): string {
  const filter = `${options.topicPrefix}#`;
  const connectors = ['filter', 'projection'].map((id) => ({
    id,
    kind: 'http',
    config: { url: options.targetUrl ?? 'http://127.0.0.1:9' },
  }));
  const rules = [
    {
      id: 'filter',
      sql: `SELECT payload.temp AS temp, clientid FROM "${filter}" WHERE payload.temp > 20`,
      actions: [{ id: 'post', connector: 'filter', config: { method: 'POST', path: '/filter' } }],
    },
    {
      id: 'projection',
      sql:
        `SELECT payload.dev AS dev, payload.temp AS temp, payload.ts AS ts, upper(payload.dev) AS dev_upper, ` +
        `round(payload.temp * 1.8 + 32) AS temp_f FROM "${filter}"`,
      actions: [{ id: 'post', connector: 'projection', config: { method: 'POST', path: '/projection' } }],
    },
  ];
  const pipeline = {
    tenants: [
      {
        id: `b${options.id}`,
        sources: [{ id: 'devices', topics: [{ filter, qos: 1 }] }],
        connectors: options.withRules ? connectors : [],
        rules: options.withRules ? rules : [],
      },
    ],
  };
  const path = join(mkdtempSync(join(tmpdir(), `sluice-bench-${options.id}-`)), 'pipeline.json');
  writeFileSync(path, JSON.stringify(pipeline, null, 2));
  return path;
}

/**
 * Deletes what a benchmark's namespace left on NATS: the three bus streams and the config-store
 * bucket (`KV_<ns>SLUICE_CONFIG`), which `deleteBusStreams` leaves behind.
 */
export async function deleteNamespace(natsUrl: string, namespace: string): Promise<void> {
  await deleteBusStreams(natsUrl, namespace);
  const nc = await connect({ servers: natsUrl.split(','), noAsyncTraces: true });
  try {
    const jsm = await nc.jetstreamManager();
    await jsm.streams.delete(`KV_${namespace}SLUICE_CONFIG`).catch(() => false);
  } finally {
    await nc.close();
  }
}
