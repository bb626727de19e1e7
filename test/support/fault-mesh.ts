import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from './eventually';
import { freePort, type TestNamespace } from './test-namespace';
import { SluiceProcess } from './sluice-process';

export type MeshService = 'ingest' | 'rules' | 'delivery' | 'gateway';

export interface FaultMeshOptions {
  ns: TestNamespace;
  natsUrl: string;
  mqttUrl: string;
  pipelineFile: string;
  services: MeshService[];
  /** The gateway's database (it is the only service that has one). */
  databaseUrl?: string;
  env?: Record<string, string>;
}

/**
 * The mesh as separate processes (ingest, rules, delivery and optionally the gateway) on the given
 * NATS and broker, each of which a fault test can kill and bring back on the same port, as an
 * orchestrator would restart a crashed pod.
 */
export class FaultMesh {
  readonly processes = new Map<MeshService, SluiceProcess>();
  readonly adminKey = `faults-admin-${randomBytes(12).toString('hex')}`;

  constructor(private readonly options: FaultMeshOptions) {}

  async start(): Promise<this> {
    const { ns } = this.options;
    const common = {
      SLUICE_BUS: 'nats',
      SLUICE_NATS_URL: this.options.natsUrl,
      SLUICE_BUS_NAMESPACE: ns.streamPrefix,
      SLUICE_MQTT_URL: this.options.mqttUrl,
      SLUICE_PIPELINE_FILE: this.options.pipelineFile,
      SLUICE_INGEST_CLIENT_ID_PREFIX: `f-${ns.id}`,
      SLUICE_LOG_LEVEL: 'warn',
      // why: a killed replica's unacknowledged JetStream messages come back this soon after
      SLUICE_BUS_ACK_WAIT_MS: '3000',
      SLUICE_DELIVERY_BACKOFF_MS: '50',
      SLUICE_DELIVERY_MAX_BACKOFF_MS: '1000',
      ...this.options.env,
    };
    for (const service of this.options.services) {
      const env: Record<string, string> = { ...common, SLUICE_HTTP_PORT: String(await freePort()) };
      if (service === 'gateway') {
        Object.assign(env, {
          SLUICE_DATABASE_URL: this.options.databaseUrl ?? '',
          SLUICE_DATABASE_SCHEMA: ns.pgSchema,
          SLUICE_ADMIN_KEY: this.adminKey,
          SLUICE_SECRET_KEY: randomBytes(32).toString('base64'),
        });
      }
      this.processes.set(service, new SluiceProcess(service, env).start());
    }
    try {
      await Promise.all([...this.processes.values()].map((p) => p.ready()));
    } catch (error) {
      // why: the caller never gets the mesh to stop, so a failed start would leave processes behind
      await this.stop();
      throw error;
    }
    return this;
  }

  get(service: MeshService): SluiceProcess {
    const process = this.processes.get(service);
    if (!process) throw new Error(`${service} is not part of this mesh`);
    return process;
  }

  /** SIGKILL: no drain, no acknowledgement of what was in flight. */
  async kill(service: MeshService): Promise<void> {
    await this.get(service).stop('SIGKILL');
  }

  /** Starts a killed service again on its port and waits until it is ready. */
  async revive(service: MeshService): Promise<void> {
    await this.get(service).start().ready();
  }

  /** The value of a metric on one service's /metrics, summed over its label sets (0 when absent). */
  async metric(service: MeshService, name: string, labelFilter = ''): Promise<number> {
    const text = await (await fetch(`http://127.0.0.1:${this.get(service).port}/metrics`)).text();
    return sumMetric(text, name, labelFilter);
  }

  /** Each stage's counters (ingest received/stored, rules matched/passed, delivery success), for failure messages. */
  async stageCounts(): Promise<string> {
    const counters: [MeshService, string][] = [
      ['ingest', 'sluice_source_messages_received_total'],
      ['ingest', 'sluice_source_messages_stored_total'],
      ['ingest', 'sluice_source_messages_dropped_total'],
      ['rules', 'sluice_rule_matched_total'],
      ['rules', 'sluice_rule_passed_total'],
      ['delivery', 'sluice_action_success_total'],
      ['delivery', 'sluice_action_dead_lettered_total'],
    ];
    const values = await Promise.all(
      counters
        .filter(([service]) => this.processes.has(service))
        .map(async ([service, name]) => `${name} ${await this.metric(service, name).catch(() => NaN)}`),
    );
    return values.join(', ');
  }

  async stop(): Promise<void> {
    await Promise.all([...this.processes.values()].map((p) => p.stop()));
  }

  /** The tail of every process's output, for a failure message. */
  output(chars = 3000): string {
    return [...this.processes.values()].map((p) => `--- ${p.service}\n${p.output.slice(-chars)}`).join('\n');
  }
}

/**
 * Resolves once `read()` has not changed for `quietMs` (polled, so the pipeline has drained what it
 * will deliver); rejects after `timeoutMs`. For scenarios where some loss is the expected outcome.
 */
export async function quiescent(read: () => number, quietMs = 3_000, timeoutMs = 60_000): Promise<number> {
  let last = read();
  let changedAt = Date.now();
  return eventually(
    () => {
      const now = read();
      if (now !== last) {
        last = now;
        changedAt = Date.now();
      }
      if (Date.now() - changedAt < quietMs) throw new Error(`still changing: ${now}`);
      return now;
    },
    { timeoutMs, intervalMs: 200 },
  );
}

/** Sums a metric over the label sets that contain `labelFilter` in a Prometheus text exposition. */
export function sumMetric(text: string, name: string, labelFilter = ''): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || (line[name.length] !== ' ' && line[name.length] !== '{')) continue;
    if (labelFilter && !line.includes(labelFilter)) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

/** Resident memory (VmRSS) of a process in MiB, from /proc; NaN when it is gone. */
export function rssMiB(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/**
 * Writes a one-tenant pipeline: by default one MQTT source on `<topicPrefix>#` at QoS 1, the given connectors
 * and rules. Returns the file's path.
 */
export function writeFaultPipeline(
  ns: TestNamespace,
  connectors: { id: string; kind: string; config: Record<string, unknown> }[],
  rules: {
    id: string;
    sql: string;
    actions: { id: string; connector: string; config: Record<string, unknown> }[];
  }[],
  sources: Record<string, unknown>[] = [
    { id: 'devices', topics: [{ filter: `${ns.topicPrefix}#`, qos: 1 }] },
  ],
): string {
  const pipeline = {
    tenants: [
      {
        id: `t${ns.id}`,
        sources,
        connectors,
        rules,
      },
    ],
  };
  const path = join(mkdtempSync(join(tmpdir(), `sluice-faults-${ns.id}-`)), 'pipeline.json');
  writeFileSync(path, JSON.stringify(pipeline, null, 2));
  return path;
}
