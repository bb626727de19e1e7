/**
 * `npm run bench:flow [-- --seconds N --rounds R --qos 1,0 --only relay,embedded,mesh]` (also
 * `embedded-memory`: the embedded mode with its bus in memory): the peer
 * flow of issue 15, in one run on one broker. MQTT `sensors/#` → `SELECT payload.deviceId AS device,
 * payload.temp AS temp, payload.ts AS ts FROM "sensors/#" WHERE payload.temp > 30` → MQTT republish
 * to `out/alerts` (half the messages pass), run by three runners in turn:
 * - relay: a hand-written mqtt.js relay in one process (bench/flow/relay.ts), the baseline;
 * - embedded: `sluice start all` with the in-process bus, on the same external broker;
 * - mesh: `sluice start ingest|rules|delivery` over NATS JetStream;
 * - mesh-r3 (only when asked, `--only mesh,mesh-r3`): the mesh on a three-node JetStream cluster the
 *   bench starts (streams and the config bucket with three replicas), its CPU the three nodes' sum.
 * The bench starts its own Mosquitto (`set_tcp_nodelay true`) and nats-server on free ports. For each
 * round, QoS and runner (fresh processes, the order rotating per round): the sustained input and
 * output rate in a closed loop (at most `--window` input messages outstanding), CPU per input
 * message of every process of the runner plus nats-server's and Mosquitto's, then p50/p99/max
 * latency from publish to the `out/alerts` subscriber paced at 5,000 msg/s in and at 50% and 90% of
 * the runner's sustained rate, peak RSS per process, and messages lost (counted by id). Medians of
 * the rounds; ratios to the relay are per round, then the median. Writes its section of
 * docs/benchmarks.md and bench/flow/last-run.json. Needs `npm run build` first.
 *
 * Profiling: `--node-args "--cpu-prof --cpu-prof-dir=/tmp/prof"` is passed to every Node process of
 * the runners (relay included); `--no-report` leaves docs/ alone.
 * A/B in one run: `--only relay,mesh,mesh-b --node-args-b "--max-semi-space-size=16" --env-b
 * "SLUICE_X=1"` runs the mesh again with those Node flags and environment added (`embedded-b` likewise).
 * Each round line also gives write system calls per input message of every process (/proc/<pid>/io).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { BrokerProcess, type BrokerGroup } from './flow/brokers';
import { closedLoop, connectClient, paced, waitFor } from './e2e/load';
import {
  cpuSeconds,
  delay,
  fmt,
  load1,
  machineInfo,
  peakRssMiB,
  percentile,
  writeSyscalls,
} from './e2e/measure';
import { replaceSection, table } from './e2e/report';
import { deleteNamespace, freePort, ServiceProcess } from './e2e/services';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const seconds = Number(arg('seconds') ?? 5);
const rounds = Number(arg('rounds') ?? 3);
const window = Number(arg('window') ?? 1000);
const qosList = (arg('qos') ?? '1,0').split(',').map((q): 0 | 1 => (q === '0' ? 0 : 1));
/**
 * `embedded-memory`: the embedded mode with its bus in memory (SLUICE_BUS_STORAGE=memory), for
 * durability's cost. `embedded-b`, `mesh-b`: the same runner with `--node-args-b` added to its Node
 * flags and `--env-b` to its environment, for an A/B in one run.
 */
type RunnerName = 'relay' | 'embedded' | 'embedded-memory' | 'embedded-b' | 'mesh' | 'mesh-r3' | 'mesh-b';
const isMesh = (runner: RunnerName): boolean =>
  runner === 'mesh' || runner === 'mesh-r3' || runner === 'mesh-b';
const runnerNames = (arg('only') ?? 'relay,embedded,mesh').split(',') as RunnerName[];
const nodeArgs = (arg('node-args') ?? '').split(' ').filter((a) => a !== '');
const nodeArgsB = (arg('node-args-b') ?? '').split(' ').filter((a) => a !== '');
/** `--env-b "SLUICE_X=1 SLUICE_Y=2"`: environment of the `-b` runners. */
const envB: Record<string, string> = Object.fromEntries(
  (arg('env-b') ?? '')
    .split(' ')
    .filter((a) => a.includes('='))
    .map((a) => [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]),
);
const isB = (runner: RunnerName): boolean => runner.endsWith('-b');
const report = !process.argv.includes('--no-report');
const root = resolve(__dirname, '..');
const fixedRate = 5000;
const fractions = [0.5, 0.9];
const sql =
  'SELECT payload.deviceId AS device, payload.temp AS temp, payload.ts AS ts FROM "sensors/#" WHERE payload.temp > 30';

/** The Node flags of `npm start` (package.json: `node <flags> bin/sluice.js start all`), e.g. the young generation's size. */
function npmStartNodeFlags(): string[] {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const words = pkg.scripts.start.split(' ');
  return words.slice(1, words.indexOf('bin/sluice.js'));
}

/** Milliseconds since the epoch with sub-millisecond resolution (publisher and subscriber share a clock). */
const nowMs = (): number => performance.timeOrigin + performance.now();

interface Proc {
  name: string;
  pid: number;
}

/** One runner's processes for one QoS. */
interface Running {
  processes: Proc[];
  stop: () => Promise<void>;
  /** The /metrics text of each Sluice process. */
  metrics?: () => Promise<string[]>;
}

interface LatencyFigures {
  label: string;
  offered: number;
  p50: number;
  p99: number;
  max: number;
  lost: number;
}

interface RunFigures {
  runner: RunnerName;
  qos: 0 | 1;
  round: number;
  inRate: number;
  outRate: number;
  /** CPU µs per input message, per process of the runner. */
  cpu: Record<string, number>;
  natsCpu: number;
  mosquittoCpu: number;
  latency: LatencyFigures[];
  rss: Record<string, number>;
  lostSustained: number;
  load: number;
  /** Messages per batch envelope stored in INGEST and ACTIONS over the whole run (sluice_bus_batch_messages). */
  batch: Record<string, number>;
  /** NATS messages (in + out at the server, JetStream API and acks included) per input message, sustained phase. */
  natsMessages: number;
  /** Write system calls per input message, per process of the runner and nats-server, sustained phase. */
  writes: Record<string, number>;
  /** Per Sluice process, during the 5,000 msg/s phase: event-loop delay and GC pauses from its /metrics. */
  pauses: Record<string, Pauses>;
}

interface Pauses {
  loopP99Ms: number;
  loopMaxMs: number;
  gcCount: number;
  gcTotalMs: number;
  /** GC pauses of 10 ms or more. */
  gcOver10Ms: number;
}

/** One value of a prom-client default metric (process_*, nodejs_*), summed over its label sets. */
function processMetric(text: string, name: string, labels = ''): number {
  let sum = 0;
  const prefix = `${name}${labels ? `{${labels}` : ''}`;
  for (const line of text.split('\n')) {
    if (line.startsWith(prefix) && (labels || line[prefix.length] === ' ' || line[prefix.length] === '{'))
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

/**
 * What held each process during a phase, from two readings of its /metrics (before and after):
 * prom-client's event-loop delay percentiles cover the time since the previous scrape, its GC
 * histogram counts since the start.
 */
function pausesBetween(before: string, after: string): Pauses {
  const gc = (text: string, what: string) => processMetric(text, `nodejs_gc_duration_seconds_${what}`);
  const under10Ms = (text: string): number => {
    let n = 0;
    for (const m of text.matchAll(/^nodejs_gc_duration_seconds_bucket\{le="0\.01"[^}]*\} (\S+)$/gm))
      n += Number(m[1]);
    return n;
  };
  const gcCount = gc(after, 'count') - gc(before, 'count');
  return {
    loopP99Ms: processMetric(after, 'nodejs_eventloop_lag_p99_seconds') * 1000,
    loopMaxMs: processMetric(after, 'nodejs_eventloop_lag_max_seconds') * 1000,
    gcCount,
    gcTotalMs: (gc(after, 'sum') - gc(before, 'sum')) * 1000,
    gcOver10Ms: gcCount - (under10Ms(after) - under10Ms(before)),
  };
}

/** Resident memory, V8 heap by space and external memory in MiB, from a /metrics text (BENCH_MEMORY=1). */
function memoryBreakdown(text: string): string {
  const mib = (v: string) => (Number(v) / 1048576).toFixed(1);
  const parts: string[] = [];
  for (const line of text.split('\n')) {
    const m =
      /^(process_resident_memory_bytes|nodejs_heap_size_total_bytes|nodejs_heap_size_used_bytes|nodejs_external_memory_bytes|nodejs_heap_space_size_total_bytes\{space="(\w+)"\}) (\S+)/.exec(
        line,
      );
    if (m) parts.push(`${m[2] ?? m[1]!.replace(/^(process_|nodejs_)/, '')} ${mib(m[3]!)}`);
  }
  return parts.join(', ');
}

/** Mean messages per batch envelope per stream, from the processes' /metrics texts. */
function batchSizes(texts: string[]): Record<string, number> {
  const sums: Record<string, [number, number]> = {};
  for (const text of texts) {
    for (const m of text.matchAll(/^sluice_bus_batch_messages_(sum|count)\{stream="(\w+)"\} (\S+)$/gm)) {
      const entry = (sums[m[2]!] ??= [0, 0]);
      entry[m[1] === 'sum' ? 0 : 1] += Number(m[3]);
    }
  }
  return Object.fromEntries(Object.entries(sums).map(([stream, [sum, count]]) => [stream, sum / count]));
}

class RelayProcess {
  output = '';
  private child?: ChildProcess;
  private exitCode: number | null | undefined;

  constructor(
    private readonly url: string,
    private readonly qos: 0 | 1,
  ) {}

  get pid(): number {
    return this.child?.pid ?? 0;
  }

  async start(): Promise<this> {
    const child = spawn(
      process.execPath,
      [...nodeArgs, '-r', '@swc-node/register', join(root, 'bench/flow/relay.ts')],
      {
        // why cwd: @swc-node/register reads tsconfig.json (the @sluice/* paths) from the working directory
        cwd: root,
        env: { PATH: process.env['PATH'] ?? '', RELAY_URL: this.url, RELAY_QOS: String(this.qos) },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const keep = (chunk: Buffer): void =>
      void (this.output = (this.output + chunk.toString()).slice(-10_000));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.on('exit', (code) => (this.exitCode = code));
    this.child = child;
    const ok = await waitFor(() => this.output.includes('ready') || this.exitCode !== undefined, 30_000);
    if (!ok || this.exitCode !== undefined) throw new Error(`relay did not start:\n${this.output}`);
    return this;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || this.exitCode !== undefined) return;
    const gone = new Promise<void>((done) => child.once('exit', () => done()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await gone;
    clearTimeout(timer);
  }
}

function writePipeline(id: string, brokerUrl: string, qos: 0 | 1): string {
  const pipeline = {
    tenants: [
      {
        id: `flow${id}`,
        // why clean: no earlier run's session may take a share of the shared subscription
        sources: [{ id: 'sensors', topics: [{ filter: 'sensors/#', qos }], clean: true }],
        connectors: [{ id: 'broker', kind: 'mqtt', config: { url: brokerUrl } }],
        rules: [
          {
            id: 'alerts',
            sql,
            actions: [{ id: 'republish', connector: 'broker', config: { topic: 'out/alerts', qos } }],
          },
        ],
      },
    ],
  };
  const path = join(mkdtempSync(join(tmpdir(), `sluice-flow-${id}-`)), 'pipeline.json');
  writeFileSync(path, JSON.stringify(pipeline, null, 2));
  return path;
}

async function startRunner(
  runner: RunnerName,
  qos: 0 | 1,
  mosquitto: BrokerProcess,
  nats: BrokerProcess | BrokerGroup,
): Promise<Running> {
  const id = randomBytes(4).toString('hex');
  if (runner === 'relay') {
    const relay = await new RelayProcess(mosquitto.url, qos).start();
    return { processes: [{ name: 'relay', pid: relay.pid }], stop: () => relay.stop() };
  }
  const pipelineFile = writePipeline(id, mosquitto.url, qos);
  const services: ServiceProcess[] = [];
  const namespace = `F_${id}_`;
  // why the start flags for the embedded process only: it is what `npm start` runs
  const args = [
    ...(isMesh(runner) ? [] : npmStartNodeFlags()),
    ...nodeArgs,
    ...(isB(runner) ? nodeArgsB : []),
  ];
  const extraEnv = isB(runner) ? envB : {};
  if (isMesh(runner)) {
    const env = {
      ...extraEnv,
      SLUICE_PIPELINE_FILE: pipelineFile,
      SLUICE_BUS: 'nats',
      SLUICE_NATS_URL: nats.url,
      SLUICE_BUS_REPLICAS: runner === 'mesh-r3' ? '3' : '1',
      SLUICE_BUS_NAMESPACE: namespace,
      SLUICE_MQTT_URL: mosquitto.url,
      SLUICE_INGEST_CLIENT_ID_PREFIX: `flow-${id}-`,
    };
    for (const service of ['ingest', 'rules', 'delivery'] as const)
      services.push(new ServiceProcess(service, await freePort(), env, args).start());
  } else {
    services.push(
      new ServiceProcess(
        'all',
        await freePort(),
        {
          ...extraEnv,
          SLUICE_PIPELINE_FILE: pipelineFile,
          SLUICE_MQTT_URL: mosquitto.url,
          SLUICE_DATA_DIR: mkdtempSync(join(tmpdir(), `sluice-flow-${id}-`)),
          SLUICE_ADMIN_KEY: randomBytes(24).toString('hex'),
          SLUICE_SECRET_KEY: randomBytes(32).toString('base64'),
          SLUICE_BUS_STORAGE: runner === 'embedded-memory' ? 'memory' : 'file',
        },
        args,
      ).start(),
    );
  }
  const stop = async (): Promise<void> => {
    if (process.env['BENCH_DEBUG']) for (const s of services) console.log(`--- ${s.service}\n${s.output}`);
    await Promise.all(services.map((s) => s.stop()));
    if (isMesh(runner))
      await deleteNamespace(nats.url, namespace).catch((e: Error) => console.error(e.message));
  };
  try {
    await Promise.all(services.map((s) => s.ready()));
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    processes: services.map((s) => ({ name: s.service === 'all' ? 'embedded' : s.service, pid: s.pid })),
    stop,
    metrics: () => Promise.all(services.map((s) => s.metricsText())),
  };
}

/** The bench's own ends of the flow: the publisher on `sensors/...` and the subscriber on `out/alerts`. */
class FlowEnds {
  /** Output messages received (duplicates included). */
  outputs = 0;
  /** Passing input messages published. */
  passingSent = 0;
  recording = false;
  latencies: number[] = [];
  private seen = new Set<number>();
  private seq = 0;
  onOutput: () => void = () => undefined;

  private constructor(
    readonly publisher: MqttClient,
    readonly subscriber: MqttClient,
  ) {
    subscriber.on('message', (_topic, payload) => {
      const now = nowMs();
      this.outputs++;
      const body = JSON.parse(payload.toString()) as { device: string; ts: number };
      this.seen.add(Number(body.device.slice(1)));
      if (this.recording) this.latencies.push(now - body.ts);
      this.onOutput();
    });
  }

  static async connect(url: string): Promise<FlowEnds> {
    const publisher = await connectClient(url, `flow-pub-${process.pid}`);
    // why MQTT 5: a 3.1.1 subscriber gets at most Mosquitto's max_inflight_messages (20) unacknowledged
    const subscriber = mqtt.connect(url, {
      clientId: `flow-sub-${process.pid}`,
      protocolVersion: 5,
      clean: true,
      reconnectPeriod: 0,
    });
    subscriber.on('connect', () => (subscriber.stream as unknown as Socket).setNoDelay?.(true));
    await new Promise<void>((done, fail) => {
      subscriber.once('connect', () => done());
      subscriber.once('error', fail);
    });
    return new FlowEnds(publisher, subscriber);
  }

  async subscribe(qos: 0 | 1): Promise<void> {
    await this.subscriber.unsubscribeAsync('out/alerts');
    await this.subscriber.subscribeAsync('out/alerts', { qos });
  }

  /** Starts counting lost messages from here: returns a function giving the passing messages not (yet) seen. */
  phase(): () => number {
    this.seen.clear();
    const passingBase = this.passingSent;
    return () => this.passingSent - passingBase - this.seen.size;
  }

  /** Publishes the next input: even sequence numbers pass `temp > 30`, odd ones do not. */
  publish(qos: 0 | 1): void {
    const seq = this.seq++;
    const pass = seq % 2 === 0;
    if (pass) this.passingSent++;
    const temp = pass ? 30.5 + (seq % 7) / 10 : 20 + (seq % 7) / 10;
    const ts = Math.round(nowMs() * 1000) / 1000;
    void this.publisher.publish('sensors/site1/dev1', `{"deviceId":"d${seq}","temp":${temp},"ts":${ts}}`, {
      qos,
    });
  }

  async close(): Promise<void> {
    await this.publisher.endAsync(true);
    await this.subscriber.endAsync(true);
  }
}

async function measure(
  runner: RunnerName,
  qos: 0 | 1,
  round: number,
  ends: FlowEnds,
  mosquitto: BrokerProcess,
  nats: BrokerProcess | BrokerGroup,
): Promise<RunFigures> {
  await ends.subscribe(qos);
  const running = await startRunner(runner, qos, mosquitto, nats);
  try {
    // The source may subscribe a little after readiness: wait for the first output.
    const first = ends.outputs;
    const flowing = await waitFor(() => {
      ends.publish(qos);
      ends.publish(qos);
      return ends.outputs > first;
    }, 30_000);
    if (!flowing) throw new Error(`${runner}: no output within 30 s`);
    await waitFor(() => ends.phase()() <= 0, 5_000);

    // Sustained: closed loop, inputs accounted for = 2 × outputs (exactly half pass).
    let lost = ends.phase();
    const base = ends.outputs;
    const loop = closedLoop({
      window,
      publish: () => ends.publish(qos),
      arrived: () => (ends.outputs - base) * 2,
    });
    ends.onOutput = loop.kick;
    const warm = loop.run(2, seconds);
    await delay(2000);
    const cpuBefore = running.processes.map((p) => cpuSeconds(p.pid));
    const writesBefore = [...running.processes.map((p) => writeSyscalls(p.pid)), nats.writes()];
    const brokersBefore = [nats.cpu(), mosquitto.cpu()];
    const natsBefore = await nats.natsCounts();
    const outputsBefore = ends.outputs;
    const result = await warm;
    const inputs = (ends.outputs - outputsBefore) * 2;
    const cpu: Record<string, number> = {};
    running.processes.forEach((p, i) => (cpu[p.name] = ((cpuSeconds(p.pid) - cpuBefore[i]!) / inputs) * 1e6));
    const natsCpu = ((nats.cpu() - brokersBefore[0]!) / inputs) * 1e6;
    const mosquittoCpu = ((mosquitto.cpu() - brokersBefore[1]!) / inputs) * 1e6;
    const natsAfter = await nats.natsCounts();
    const natsMessages = (natsAfter.in - natsBefore.in + natsAfter.out - natsBefore.out) / inputs;
    const writes: Record<string, number> = {};
    running.processes.forEach(
      (p, i) => (writes[p.name] = (writeSyscalls(p.pid) - writesBefore[i]!) / inputs),
    );
    writes['nats-server'] = (nats.writes() - writesBefore[running.processes.length]!) / inputs;
    ends.onOutput = () => undefined;
    await waitFor(() => lost() <= 0, 30_000);
    const lostSustained = Math.max(0, lost());

    const latency: LatencyFigures[] = [];
    const points = [
      { label: '5,000/s', offered: fixedRate },
      ...fractions.map((f) => ({ label: `${f * 100}%`, offered: Math.max(10, Math.round(result.rate * f)) })),
    ];
    const pauses: Record<string, Pauses> = {};
    for (const point of points) {
      const before = point.offered === fixedRate && running.metrics ? await running.metrics() : undefined;
      lost = ends.phase();
      ends.latencies = [];
      ends.recording = true;
      await paced(point.offered, seconds, () => ends.publish(qos));
      await waitFor(() => lost() <= 0, 30_000);
      ends.recording = false;
      if (before && running.metrics) {
        const after = await running.metrics();
        running.processes.forEach((p, i) => (pauses[p.name] = pausesBetween(before[i]!, after[i]!)));
      }
      const sorted = ends.latencies.sort((a, b) => a - b);
      latency.push({
        ...point,
        p50: percentile(sorted, 50),
        p99: percentile(sorted, 99),
        max: sorted[sorted.length - 1] ?? NaN,
        lost: Math.max(0, lost()),
      });
    }
    const batch = running.metrics ? batchSizes(await running.metrics()) : {};
    if (process.env['BENCH_MEMORY'] && running.metrics) {
      const texts = await running.metrics();
      running.processes.forEach((p, i) =>
        console.log(`memory of ${p.name} after the run: ${memoryBreakdown(texts[i] ?? '')}`),
      );
    }
    const rss: Record<string, number> = {};
    for (const p of running.processes) rss[p.name] = peakRssMiB(p.pid);
    const figures: RunFigures = {
      runner,
      qos,
      round,
      inRate: result.rate,
      outRate: result.rate / 2,
      cpu,
      natsCpu,
      mosquittoCpu,
      latency,
      rss,
      lostSustained,
      load: loadavg()[0] ?? 0,
      batch,
      pauses,
      natsMessages,
      writes,
    };
    const at5k = latency[0]!;
    console.log(
      `round ${round} QoS ${qos} ${runner}: in ${fmt(figures.inRate)}/s, CPU ${Object.entries(cpu)
        .map(([n, v]) => `${n} ${fmt(v, 1)}`)
        .join(
          ' + ',
        )} µs/msg (nats ${fmt(natsCpu, 1)} with ${fmt(figures.natsMessages, 2)} NATS messages per input, mosquitto ${fmt(mosquittoCpu, 1)}), writes per input ${Object.entries(
        writes,
      )
        .map(([n, v]) => `${n} ${fmt(v, 3)}`)
        .join(' ')}, at 5k/s p50 ${fmt(
        at5k.p50,
        2,
      )} p99 ${fmt(at5k.p99, 1)} max ${fmt(at5k.max, 1)} ms, RSS ${Object.values(rss)
        .map((v) => fmt(v))
        .join(
          '/',
        )} MiB, lost ${lostSustained + latency.reduce((s, l) => s + l.lost, 0)}, per batch ${Object.entries(
        batch,
      )
        .map(([k, v]) => `${k} ${fmt(v, 1)}`)
        .join(' ')}, at 5k/s ${Object.entries(pauses)
        .map(
          ([n, p]) =>
            `${n} loop p99 ${fmt(p.loopP99Ms, 1)} max ${fmt(p.loopMaxMs, 1)} ms, GC ${p.gcCount} pauses ${fmt(p.gcTotalMs)} ms (${p.gcOver10Ms} ≥ 10 ms)`,
        )
        .join('; ')}; load ${load1()}`,
    );
    return figures;
  } finally {
    await running.stop();
  }
}

const median = (values: number[]): number => {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const sum = (record: Record<string, number>): number => Object.values(record).reduce((a, b) => a + b, 0);
/** CPU per input message of everything the runner needs: its processes, plus nats-server for the mesh. */
const totalCpu = (f: RunFigures): number => sum(f.cpu) + (isMesh(f.runner) ? f.natsCpu : 0);

function render(runs: RunFigures[], started: Date, loads: string[], wallSeconds: number): string {
  const m = machineInfo();
  const pick = (runner: RunnerName, qos: 0 | 1): RunFigures[] =>
    runs.filter((r) => r.runner === runner && r.qos === qos);
  /** Per round: the runner's figure ÷ the relay's in the same round and QoS; the median of those. */
  const ratio = (runner: RunnerName, qos: 0 | 1, value: (f: RunFigures) => number): number =>
    median(
      pick(runner, qos).map((f) => {
        const relay = runs.find((r) => r.runner === 'relay' && r.qos === qos && r.round === f.round);
        return relay ? value(f) / value(relay) : NaN;
      }),
    );
  const rows: string[][] = [];
  const latencyRows: string[][] = [];
  for (const qos of qosList) {
    for (const runner of runnerNames) {
      const fs = pick(runner, qos);
      if (fs.length === 0) continue;
      const names = Object.keys(fs[0]!.cpu);
      const perProcess = names.map((n) => `${n} ${fmt(median(fs.map((f) => f.cpu[n]!)), 1)}`);
      if (isMesh(runner))
        perProcess.push(
          `nats-server${runner === 'mesh-r3' ? ' ×3' : ''} ${fmt(median(fs.map((f) => f.natsCpu)), 1)}`,
        );
      const at5k = (f: RunFigures): LatencyFigures => f.latency[0]!;
      const lost = fs.reduce((s, f) => s + f.lostSustained + f.latency.reduce((t, l) => t + l.lost, 0), 0);
      rows.push([
        runner,
        String(qos),
        fmt(median(fs.map((f) => f.inRate))),
        fmt(median(fs.map((f) => f.outRate))),
        runner === 'relay'
          ? '1'
          : fmt(
              ratio(runner, qos, (f) => f.inRate),
              2,
            ),
        `**${fmt(median(fs.map(totalCpu)), 1)}**${perProcess.length > 1 ? ` (${perProcess.join(' + ')})` : ''}`,
        runner === 'relay' ? '1' : fmt(ratio(runner, qos, totalCpu), 2),
        fmt(median(fs.map((f) => f.mosquittoCpu)), 1),
        `${fmt(median(fs.map((f) => at5k(f).p50)), 2)} / ${fmt(median(fs.map((f) => at5k(f).p99)), 1)} / ${fmt(
          median(fs.map((f) => at5k(f).max)),
          1,
        )}`,
        names.map((n) => fmt(median(fs.map((f) => f.rss[n]!)))).join(' / '),
        String(lost),
      ]);
      for (const [i, point] of fs[0]!.latency.entries()) {
        latencyRows.push([
          runner,
          String(qos),
          point.label,
          fmt(median(fs.map((f) => f.latency[i]!.offered))),
          fmt(median(fs.map((f) => f.latency[i]!.p50)), 2),
          fmt(median(fs.map((f) => f.latency[i]!.p99)), 1),
          fmt(median(fs.map((f) => f.latency[i]!.max)), 1),
        ]);
      }
    }
  }
  const goals: string[][] = [];
  if (qosList.includes(1) && runnerNames.includes('relay')) {
    const goal = (
      name: string,
      runner: RunnerName,
      measured: number,
      bound: number,
      atMost: boolean,
      unit = '×',
    ): void => {
      if (!Number.isFinite(measured)) return;
      const met = atMost ? measured <= bound : measured >= bound;
      goals.push([
        name,
        runner,
        `${fmt(measured, 2)}${unit}`,
        `${atMost ? '≤' : '≥'} ${fmt(bound, 2)}${unit}`,
        met ? 'met' : '**not met**',
      ]);
    };
    for (const runner of ['embedded', 'mesh'] as const) {
      if (!runnerNames.includes(runner)) continue;
      goal(
        'CPU per input message ÷ relay',
        runner,
        ratio(runner, 1, totalCpu),
        runner === 'embedded' ? 1.2 : 2.5,
        true,
      );
      goal(
        'sustained input rate ÷ relay',
        runner,
        ratio(runner, 1, (f) => f.inRate),
        runner === 'embedded' ? 0.95 : 0.85,
        false,
      );
      goal(
        'p99 at 5,000/s ÷ relay',
        runner,
        ratio(runner, 1, (f) => f.latency[0]!.p99),
        2,
        true,
      );
      goal('max at 5,000/s', runner, median(pick(runner, 1).map((f) => f.latency[0]!.max)), 100, true, ' ms');
      goal(
        'peak RSS (largest process)',
        runner,
        median(pick(runner, 1).map((f) => Math.max(...Object.values(f.rss)))),
        runner === 'embedded' ? 200 : 150,
        true,
        ' MiB',
      );
    }
  }
  return [
    `### Peer flow, run of ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `Machine: ${m['cores']} cores (${m['cpu']}), ${m['memory']}, Node ${m['node']}, ${m['mosquitto']}, ${m['nats']}. ` +
      `Load average (1 min) at the start and after each round: ${loads.join(' → ')} (shared machine). ` +
      `Command: \`npm run bench:flow -- --seconds ${seconds} --rounds ${rounds}${arg('qos') ? ` --qos ${arg('qos')}` : ''}` +
      `${arg('only') ? ` --only ${arg('only')}` : ''}\`, wall time ${Math.round(wallSeconds)} s. ` +
      `Closed loop with at most ${window} input messages outstanding, 2 s warm-up, ${seconds} s measured; ` +
      `latency paced for ${seconds} s per point; medians of ${rounds} rounds, ratios to the relay per round, then the median.`,
    '',
    table(
      [
        'runner',
        'QoS',
        'in msg/s',
        'out msg/s',
        'in ÷ relay',
        'CPU µs per input msg (processes)',
        'CPU ÷ relay',
        'Mosquitto µs/msg',
        'p50 / p99 / max ms at 5,000/s',
        'peak RSS MiB',
        'lost',
      ],
      rows,
      ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
    ),
    '',
    'Latency from publish to the `out/alerts` subscriber, paced:',
    '',
    table(['runner', 'QoS', 'paced at', 'offered msg/s', 'p50 ms', 'p99 ms', 'max ms'], latencyRows, [
      'l',
      'r',
      'r',
      'r',
      'r',
      'r',
      'r',
    ]),
    ...(goals.length > 0
      ? [
          '',
          'Goals of issue 15 (QoS 1, this run):',
          '',
          table(['goal', 'runner', 'measured', 'goal', ''], goals, ['l', 'l', 'r', 'r', 'l']),
        ]
      : []),
  ].join('\n');
}

async function main(): Promise<void> {
  const started = new Date();
  const loads = [load1()];
  const mosquitto = await BrokerProcess.mosquitto();
  const nats = await BrokerProcess.natsServer();
  const cluster = runnerNames.includes('mesh-r3') ? await BrokerProcess.natsCluster(3) : undefined;
  const ends = await FlowEnds.connect(mosquitto.url);
  const runs: RunFigures[] = [];
  try {
    for (let round = 1; round <= rounds; round++) {
      // why rotate: a runner measured first or last in every round would carry the drift of the load
      const order = runnerNames.map((_, i) => runnerNames[(i + round - 1) % runnerNames.length]!);
      for (const qos of qosList)
        for (const runner of order) {
          const bus = runner === 'mesh-r3' ? cluster! : nats;
          runs.push(await measure(runner, qos, round, ends, mosquitto, bus));
        }
      loads.push(load1());
    }
  } finally {
    await ends.close();
    await nats.stop();
    await cluster?.stop();
    await mosquitto.stop();
  }
  const text = render(runs, started, loads, (Date.now() - started.getTime()) / 1000);
  console.log(text);
  if (report) {
    writeFileSync(join(root, 'bench/flow/last-run.json'), JSON.stringify(runs, null, 2) + '\n');
    replaceSection(join(root, 'docs/benchmarks.md'), 'flow', text);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
