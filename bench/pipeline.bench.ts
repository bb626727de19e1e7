/**
 * `npm run bench [-- --seconds N]`: the end-to-end benchmark (issue 10). Drives the mesh (ingest,
 * rules and delivery as separate processes on the real Mosquitto and NATS JetStream) and then the
 * embedded single process, with small JSON telemetry through a filter rule and a projection rule
 * to a local HTTP target; measures in the same run the plain mqtt.js ceiling on the same broker,
 * Sluice's sustained rate (closed loop) at QoS 0 and 1, end-to-end latency at 25/50/90% of it
 * (open loop), and CPU and peak memory per process. Writes its section of docs/benchmarks.md and
 * docs/benchmarks-latency.svg. Needs `npm run build` first.
 *
 * Options: `--only mesh|embedded`, `--qos 0,1`, `--window N` (closed-loop bound, default 1000),
 * `--no-latency` (skip the open-loop phases), `--no-report` (leave docs/ alone), `--node-args
 * "--cpu-prof --cpu-prof-dir=DIR"` (passed to every Sluice process, to profile them under the run).
 *
 * `npm run bench -- --tracing [--rounds N] [--paced R]` instead compares the mesh with tracing off, sampled at
 * 100% to an OTLP receiver, and sampled out (ratio 0): throughput and CPU per message of each,
 * written to the tracing section of docs/benchmarks.md (bench/e2e/tracing-cost.ts).
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { httpHop, type HopResult } from './e2e/http-hop';
import { RemoteTarget } from './e2e/http-target-process';
import {
  closedLoop,
  connectClient,
  endSession,
  paced,
  plainCeiling,
  telemetry,
  waitFor,
  type LoopResult,
} from './e2e/load';
import { clientIdPrefix } from '@sluice/pipeline';
import { fmt, load1, machineInfo, percentile } from './e2e/measure';
import { latencySvg, replaceSection, table, type LatencyPoint, type Series } from './e2e/report';
import { deleteNamespace, freePort, ServiceProcess, writeBenchPipeline } from './e2e/services';
import { runTracingCost, tracingMarkdown } from './e2e/tracing-cost';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const seconds = Number(arg('seconds') ?? 10);
const window = Number(arg('window') ?? 1000);
const only = arg('only'); // 'mesh' | 'embedded'
const qosList = (arg('qos') ?? '0,1').split(',').map((q): 0 | 1 => (q === '0' ? 0 : 1));
const nodeArgs = (arg('node-args') ?? '').split(' ').filter((a) => a !== '');
const report = !process.argv.includes('--no-report');
const latencyPhases = !process.argv.includes('--no-latency');
const natsUrl = process.env['SLUICE_NATS_URL'] ?? 'nats://127.0.0.1:4222';
const mqttUrl = process.env['SLUICE_MQTT_URL'] ?? 'mqtt://127.0.0.1:1883';
const root = resolve(__dirname, '..');
const fractions = [0.25, 0.5, 0.9];

interface ProcessFigures {
  service: string;
  cpuUsPerMessage: Record<number, number>;
  peakRssMiB: number;
}

interface ModeResult {
  mode: string;
  broker: string;
  ceiling: Record<number, LoopResult>;
  sustained: Record<number, LoopResult & { filterOutputs: number; requestRate: number }>;
  /** The bare HTTP hop to the same target, run just before each sustained phase. */
  hop: Record<number, HopResult>;
  /** The same hop paced at the rate of requests Sluice reached, run just after. */
  hopAtRate: Record<number, HopResult>;
  latency: Record<number, LatencyPoint[]>;
  processes: ProcessFigures[];
  sample: string;
}

async function runMode(mode: 'mesh' | 'embedded'): Promise<ModeResult> {
  const id = randomBytes(4).toString('hex');
  const namespace = `B_${id}_`;
  const topicPrefix = `b/${id}/`;
  // why a process of its own: in the bench's process it shared an event loop with the publisher
  // and the closed loop during Sluice's phases but not during the hop's
  const target = await new RemoteTarget().start();
  const pipelineFile = writeBenchPipeline({ id, topicPrefix, targetUrl: target.url, withRules: true });
  const common = { SLUICE_PIPELINE_FILE: pipelineFile };
  const services: ServiceProcess[] = [];
  let brokerUrl = mqttUrl;
  if (mode === 'mesh') {
    const mesh = {
      ...common,
      SLUICE_BUS: 'nats',
      SLUICE_NATS_URL: natsUrl,
      SLUICE_BUS_NAMESPACE: namespace,
      SLUICE_MQTT_URL: mqttUrl,
      SLUICE_INGEST_CLIENT_ID_PREFIX: `bench-${id}-`,
    };
    for (const service of ['ingest', 'rules', 'delivery'] as const) {
      services.push(new ServiceProcess(service, await freePort(), mesh, nodeArgs).start());
    }
  } else {
    const brokerPort = await freePort();
    brokerUrl = `mqtt://127.0.0.1:${brokerPort}`;
    services.push(
      new ServiceProcess(
        'all',
        await freePort(),
        {
          ...common,
          SLUICE_EMBEDDED_MQTT_PORT: String(brokerPort),
          SLUICE_DATA_DIR: mkdtempSync(join(tmpdir(), `sluice-bench-${id}-`)),
          SLUICE_ADMIN_KEY: randomBytes(24).toString('hex'),
          SLUICE_SECRET_KEY: randomBytes(32).toString('base64'),
        },
        nodeArgs,
      ).start(),
    );
  }
  const result: ModeResult = {
    mode,
    broker: mode === 'mesh' ? 'mosquitto' : 'aedes (embedded)',
    ceiling: {},
    sustained: {},
    hop: {},
    hopAtRate: {},
    latency: {},
    processes: services.map((s) => ({ service: s.service, cpuUsPerMessage: {}, peakRssMiB: 0 })),
    sample: '',
  };
  try {
    await Promise.all(services.map((s) => s.ready()));
    for (const qos of qosList) {
      result.ceiling[qos] = await plainCeiling(brokerUrl, `c/${id}/ceiling`, qos, 2, seconds / 2);
      console.log(`${mode} ceiling QoS ${qos}: ${fmt(result.ceiling[qos].rate)}/s`);
    }
    const publisher = await connectClient(brokerUrl, `bench-pub-${id}`);
    const topic = `${topicPrefix}site1/dev1/telemetry`;
    for (const qos of qosList) {
      // The bare hop: a hand-written undici loop to the same target, just before Sluice's phase.
      const hop = (result.hop[qos] = await httpHop(target.url, 1, seconds));
      console.log(
        `${mode} HTTP hop before QoS ${qos}: ${fmt(hop.requests / hop.seconds)} requests/s, ` +
          `${fmt(hop.cpuUs / hop.requests)} µs client CPU per request; load ${load1()}`,
      );
      const publish = (seq: number): void => void publisher.publish(topic, telemetry(seq), { qos });
      // Sustained: at most `window` messages between the publisher and the target.
      const arrived = (): number => target.count('/projection');
      const base = arrived();
      const loop = closedLoop({ window, publish, arrived: () => arrived() - base });
      target.onRequest = loop.kick;
      const cpuBefore = services.map((s) => s.cpu());
      const filterBefore = target.count('/filter');
      const run = await loop.run(3, seconds);
      const handled = arrived() - base;
      const filterOutputs = target.count('/filter') - filterBefore;
      services.forEach((s, i) => {
        result.processes[i]!.cpuUsPerMessage[qos] = ((s.cpu() - cpuBefore[i]!) / handled) * 1e6;
      });
      target.onRequest = () => undefined;
      // HTTP requests per second at the target: the projection's rate and the filter's share of it
      const requestRate = run.rate * (1 + filterOutputs / Math.max(1, handled));
      result.sustained[qos] = { ...run, filterOutputs, requestRate };
      console.log(
        `${mode} sustained QoS ${qos}: ${fmt(run.rate)}/s (sent ${run.sent}, arrived ${run.arrived}, presumed lost ${run.presumedLost}), ` +
          `${fmt(requestRate)} HTTP requests/s = ${fmt((requestRate / (hop.requests / hop.seconds)) * 100, 1)}% of the hop; ` +
          `${result.processes.at(-1)!.service} CPU ${fmt(result.processes.at(-1)!.cpuUsPerMessage[qos]! / (requestRate / run.rate), 1)} µs per request; load ${load1()}`,
      );
      await waitFor(() => arrived() - base >= run.sent, 30_000);
      const atRate = (result.hopAtRate[qos] = await httpHop(target.url, 1, seconds, Math.round(requestRate)));
      console.log(
        `${mode} HTTP hop paced at ${fmt(requestRate)}/s: ${fmt(atRate.requests / atRate.seconds)} requests/s, ` +
          `${fmt(atRate.cpuUs / atRate.requests, 1)} µs client CPU per request; load ${load1()}`,
      );
      // Latency: open loop at fractions of the sustained rate.
      result.latency[qos] = [];
      for (const fraction of latencyPhases ? fractions : []) {
        const offered = Math.max(10, Math.round(run.rate * fraction));
        target.latencies = [];
        target.recording = true;
        const before = arrived();
        const sent = await paced(offered, seconds, publish);
        await waitFor(() => arrived() - before >= sent, 15_000);
        target.recording = false;
        const sorted = target.latencies.sort((a, b) => a - b);
        const point = {
          fraction,
          offered,
          p50: percentile(sorted, 50),
          p99: percentile(sorted, 99),
          max: sorted[sorted.length - 1] ?? NaN,
          lost: Math.max(0, sent - (arrived() - before)),
        };
        result.latency[qos].push(point);
        console.log(
          `${mode} QoS ${qos} at ${fmt(offered)}/s: p50 ${point.p50} p99 ${point.p99} max ${point.max} ms, missing ${point.lost}`,
        );
        await waitFor(() => arrived() - before >= sent, 15_000);
      }
    }
    await publisher.endAsync(true);
    result.sample = JSON.stringify(Object.fromEntries(target.samples));
    services.forEach((s, i) => (result.processes[i]!.peakRssMiB = s.peakRss()));
  } finally {
    if (process.env['BENCH_DEBUG']) for (const s of services) console.log(`--- ${s.service}\n${s.output}`);
    await Promise.all(services.map((s) => s.stop()));
    await target.close();
    if (mode === 'mesh') {
      await endSession(mqttUrl, `${clientIdPrefix(`bench-${id}-`, `b${id}`, 'devices')}-0`).catch(
        (e: Error) => console.error(e.message),
      );
      await deleteNamespace(natsUrl, namespace).catch((e: Error) => console.error(e.message));
    }
  }
  return result;
}

function markdown(results: ModeResult[], started: Date, loads: string[], wallSeconds: number): string {
  const m = machineInfo();
  const parts: string[] = [
    `### End-to-end run of ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `Machine: ${m['cores']} cores (${m['cpu']}), ${m['memory']}, Node ${m['node']}, ${m['mosquitto']}, ` +
      `${m['nats']}. Load average (1 min) ${loads.join(' → ')} during the run (shared machine). ` +
      `Command: \`npm run bench -- ${process.argv.slice(2).join(' ')}\`, wall time ${Math.round(wallSeconds)} s; ` +
      `closed-loop window ${window} messages end to end.`,
    '',
  ];
  const rows: string[][] = [];
  for (const r of results) {
    for (const qos of qosList) {
      const c = r.ceiling[qos]!.rate;
      const s = r.sustained[qos]!.rate;
      rows.push([r.mode, r.broker, String(qos), fmt(c), fmt(s), `**${fmt((s / c) * 100, 1)}%**`]);
    }
  }
  parts.push(
    table(
      [
        'mode',
        'broker',
        'QoS',
        'plain mqtt.js pub → sub (msg/s)',
        'Sluice sustained (msg/s)',
        'Sluice ÷ ceiling',
      ],
      rows,
      ['l', 'l', 'r', 'r', 'r', 'r'],
    ),
  );
  const hopRows: string[][] = [];
  for (const r of results) {
    const last = r.processes.at(-1)!;
    for (const qos of qosList) {
      const hop = r.hop[qos]!;
      const atRate = r.hopAtRate[qos]!;
      const s = r.sustained[qos]!;
      const hopRate = hop.requests / hop.seconds;
      const perMessage = s.requestRate / s.rate;
      hopRows.push([
        r.mode,
        String(qos),
        fmt(hopRate),
        fmt(hop.cpuUs / hop.requests, 1),
        fmt(s.requestRate),
        `**${fmt((s.requestRate / hopRate) * 100, 1)}%**`,
        fmt(atRate.cpuUs / atRate.requests, 1),
        `${last.service} ${fmt((last.cpuUsPerMessage[qos] ?? NaN) / perMessage, 1)}`,
      ]);
    }
  }
  parts.push(
    '',
    'HTTP requests per second at the target against the bare HTTP hop, measured just before each ' +
      'sustained phase to the same target from a process of its own (undici Pool, 8 keep-alive ' +
      "connections, no pipelining, 64 outstanding: the HTTP connector's and the delivery service's " +
      'defaults), and again paced at the rate Sluice reached (CPU per request grows as the rate falls: ' +
      'fewer requests share each event-loop wake-up). The pipeline makes 1.5 requests per message ' +
      '(projection always, filter half):',
    '',
    table(
      [
        'mode',
        'QoS',
        'bare hop (req/s)',
        'hop client CPU µs/req',
        'Sluice (req/s)',
        'Sluice ÷ hop',
        "hop CPU µs/req at Sluice's rate",
        'CPU µs/req (process)',
      ],
      hopRows,
      ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
    ),
  );
  parts.push('', 'Latency from publish to the HTTP target (projection rule output), open loop:', '');
  const latencyRows: string[][] = [];
  for (const r of results) {
    for (const qos of qosList) {
      for (const p of r.latency[qos] ?? []) {
        latencyRows.push([
          r.mode,
          String(qos),
          `${p.fraction * 100}%`,
          fmt(p.offered),
          fmt(p.p50),
          fmt(p.p99),
          fmt(p.max),
          fmt(p.lost),
        ]);
      }
    }
  }
  parts.push(
    table(
      ['mode', 'QoS', 'of sustained', 'offered (msg/s)', 'p50 ms', 'p99 ms', 'max ms', 'missing'],
      latencyRows,
      ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
    ),
  );
  parts.push(
    '',
    '![latency against load](benchmarks-latency.svg)',
    '',
    'CPU per message (during the sustained phase) and peak RSS per process:',
    '',
  );
  const procRows = results.flatMap((r) =>
    r.processes.map((p) => [
      r.mode,
      p.service,
      fmt(p.cpuUsPerMessage[0] ?? NaN, 1),
      fmt(p.cpuUsPerMessage[1] ?? NaN, 1),
      fmt(p.peakRssMiB),
    ]),
  );
  parts.push(
    table(['mode', 'process', 'CPU µs/msg QoS 0', 'CPU µs/msg QoS 1', 'peak RSS MiB'], procRows, [
      'l',
      'l',
      'r',
      'r',
      'r',
    ]),
  );
  parts.push('', 'First body per target path (checks the rules computed what they should):', '');
  for (const r of results) parts.push(`- ${r.mode}: \`${r.sample}\``);
  return parts.join('\n');
}

async function tracingMain(): Promise<void> {
  const started = new Date();
  const rounds = Number(arg('rounds') ?? 2);
  const pacedRate = Number(arg('paced') ?? 40);
  const runs = await runTracingCost({ natsUrl, mqttUrl, seconds, window, rounds, pacedRate });
  const text = tracingMarkdown(
    runs,
    { seconds, window, rounds, pacedRate },
    started,
    (Date.now() - started.getTime()) / 1000,
  );
  console.log(text);
  replaceSection(join(root, 'docs/benchmarks.md'), 'e2e-tracing', text);
}

async function main(): Promise<void> {
  if (process.argv.includes('--tracing')) return tracingMain();
  const started = new Date();
  const loads = [load1()];
  const results: ModeResult[] = [];
  for (const mode of ['mesh', 'embedded'] as const) {
    if (only && only !== mode) continue;
    results.push(await runMode(mode));
    loads.push(load1());
  }
  const text = markdown(results, started, loads, (Date.now() - started.getTime()) / 1000);
  console.log(text);
  if (!report) return;
  const series: Series[] = results.flatMap((r) =>
    qosList.map((qos) => ({ label: `${r.mode} QoS ${qos}`, points: r.latency[qos] ?? [] })),
  );
  writeFileSync(join(root, 'docs/benchmarks-latency.svg'), latencySvg(series));
  writeFileSync(join(root, 'bench/e2e/last-run.json'), JSON.stringify(results, null, 2));
  replaceSection(join(root, 'docs/benchmarks.md'), 'e2e', text);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
