import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { clientIdPrefix } from '@sluice/pipeline';
import { LatencyTarget } from './latency-target';
import { closedLoop, connectClient, endSession, paced, telemetry, waitFor } from './load';
import { fmt, load1, machineInfo } from './measure';
import { table } from './report';
import { deleteNamespace, freePort, ServiceProcess, writeBenchPipeline } from './services';

/** The three ways to run the mesh that `npm run bench -- --tracing` compares. */
export const tracingModes = ['off', 'sampled 100%', 'sampled out (ratio 0)'] as const;
export type TracingMode = (typeof tracingModes)[number];

export interface TracingRun {
  mode: TracingMode;
  round: number;
  rate: number;
  /** CPU µs per message, per process (ingest, rules, delivery), over the closed loop's window. */
  cpuUsPerMessage: Record<string, number>;
  /** The same at a fixed offered rate (open loop), where the idle work per message is alike in every mode. */
  pacedCpuUsPerMessage: Record<string, number>;
  /** What the OTLP receiver got during the whole run. */
  exportRequests: number;
  exportBytes: number;
  load: string;
}

/**
 * A stand-in OTLP/HTTP collector: takes every export and answers 200 with an empty (valid)
 * protobuf response, counting requests and bytes. It decodes nothing, so it costs the machine
 * little beside the services measured.
 */
class OtlpSink {
  requests = 0;
  bytes = 0;
  private server?: Server;
  port = 0;

  async start(): Promise<this> {
    this.port = await freePort();
    this.server = createServer((req, res) => {
      req.on('data', (chunk: Buffer) => (this.bytes += chunk.length));
      req.on('end', () => {
        this.requests++;
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      });
    });
    await new Promise<void>((done) => this.server!.listen(this.port, '127.0.0.1', done));
    return this;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((done) => (this.server ? this.server.close(() => done()) : done()));
  }
}

function tracingEnv(mode: TracingMode, sink: OtlpSink): Record<string, string> {
  if (mode === 'off') return {};
  return {
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `http://127.0.0.1:${sink.port}/v1/traces`,
    OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf',
    // why larger than the default 2048: at thousands of spans per second the default queue drops
    // spans between exports, which would make "100%" cheaper than it is
    OTEL_BSP_MAX_QUEUE_SIZE: '16384',
    ...(mode === 'sampled 100%'
      ? { OTEL_TRACES_SAMPLER: 'parentbased_always_on' }
      : { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0' }),
  };
}

/**
 * One mesh (ingest, rules, delivery as processes on the real Mosquitto and NATS) in `mode`: the
 * closed-loop sustained rate at QoS 1 with the pipeline of `npm run bench`, and CPU per message.
 */
async function runOnce(
  mode: TracingMode,
  round: number,
  options: { natsUrl: string; mqttUrl: string; seconds: number; window: number; pacedRate: number },
): Promise<TracingRun> {
  const id = randomBytes(4).toString('hex');
  const namespace = `B_${id}_`;
  const topicPrefix = `b/${id}/`;
  const target = await new LatencyTarget().start();
  const sink = await new OtlpSink().start();
  const env = {
    SLUICE_PIPELINE_FILE: writeBenchPipeline({ id, topicPrefix, targetUrl: target.url, withRules: true }),
    SLUICE_BUS: 'nats',
    SLUICE_NATS_URL: options.natsUrl,
    SLUICE_BUS_NAMESPACE: namespace,
    SLUICE_MQTT_URL: options.mqttUrl,
    SLUICE_INGEST_CLIENT_ID_PREFIX: `bench-${id}-`,
    ...tracingEnv(mode, sink),
  };
  const services: ServiceProcess[] = [];
  for (const service of ['ingest', 'rules', 'delivery'] as const) {
    services.push(new ServiceProcess(service, await freePort(), env).start());
  }
  let result: TracingRun | undefined;
  try {
    await Promise.all(services.map((s) => s.ready()));
    const publisher = await connectClient(options.mqttUrl, `bench-pub-${id}`);
    const topic = `${topicPrefix}site1/dev1/telemetry`;
    const publish = (seq: number): void => void publisher.publish(topic, telemetry(seq), { qos: 1 });
    const arrived = (): number => target.count('/projection');
    const loop = closedLoop({ window: options.window, publish, arrived });
    target.onRequest = loop.kick;
    // why CPU from the start of the measured window: the loop's warm-up (3 s) is left out
    const cpuBefore: number[] = [];
    const arrivedBefore = { value: 0 };
    const warmup = 3;
    setTimeout(() => {
      services.forEach((s, i) => (cpuBefore[i] = s.cpu()));
      arrivedBefore.value = arrived();
    }, warmup * 1000);
    const run = await loop.run(warmup, options.seconds);
    const handled = arrived() - arrivedBefore.value;
    const cpuUsPerMessage = Object.fromEntries(
      services.map((s, i) => [s.service, ((s.cpu() - cpuBefore[i]!) / handled) * 1e6]),
    );
    target.onRequest = () => undefined;
    await waitFor(() => arrived() >= run.sent, 30_000);
    // open loop at a rate every mode sustains: CPU per message without the closed loop's bias
    // (a mode that is slower spreads the same idle work over fewer messages)
    const pacedBefore = services.map((s) => s.cpu());
    const pacedFrom = arrived();
    const pacedSent = await paced(options.pacedRate, options.seconds, (seq) => publish(run.sent + seq));
    await waitFor(() => arrived() - pacedFrom >= pacedSent, 30_000);
    const pacedCpuUsPerMessage = Object.fromEntries(
      services.map((s, i) => [s.service, ((s.cpu() - pacedBefore[i]!) / pacedSent) * 1e6]),
    );
    await publisher.endAsync(true);
    result = {
      mode,
      round,
      rate: run.rate,
      cpuUsPerMessage,
      pacedCpuUsPerMessage,
      exportRequests: 0,
      exportBytes: 0,
      load: load1(),
    };
    console.log(
      `tracing ${mode}, round ${round}: ${fmt(run.rate)}/s, CPU µs/msg ${Object.entries(cpuUsPerMessage)
        .map(([s, v]) => `${s} ${fmt(v, 1)}`)
        .join(', ')}; at ${options.pacedRate}/s: ${Object.entries(pacedCpuUsPerMessage)
        .map(([s, v]) => `${s} ${fmt(v, 1)}`)
        .join(', ')}; load ${result.load}`,
    );
    return result;
  } finally {
    await Promise.all(services.map((s) => s.stop()));
    await target.close();
    await endSession(options.mqttUrl, `${clientIdPrefix(`bench-${id}-`, `b${id}`, 'devices')}-0`).catch(
      (e: Error) => console.error(e.message),
    );
    await deleteNamespace(options.natsUrl, namespace).catch((e: Error) => console.error(e.message));
    // why after stop: the services export what is still buffered on SIGTERM
    if (result) {
      result.exportRequests = sink.requests;
      result.exportBytes = sink.bytes;
    }
    await sink.close();
  }
}

/**
 * Runs the mesh `rounds` times in each tracing mode, interleaved (off, 100%, ratio 0, off, ...),
 * so a change in the machine's load hits every mode alike.
 */
export async function runTracingCost(options: {
  natsUrl: string;
  mqttUrl: string;
  seconds: number;
  window: number;
  rounds: number;
  pacedRate: number;
}): Promise<TracingRun[]> {
  const runs: TracingRun[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    for (const mode of tracingModes) {
      runs.push(await runOnce(mode, round, options));
    }
  }
  return runs;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The Markdown section of docs/benchmarks.md for a tracing-cost run. */
export function tracingMarkdown(
  runs: TracingRun[],
  options: { seconds: number; window: number; rounds: number; pacedRate: number },
  started: Date,
  wallSeconds: number,
): string {
  const m = machineInfo();
  const services = ['ingest', 'rules', 'delivery'];
  const byMode = (mode: TracingMode) => runs.filter((r) => r.mode === mode);
  const off = byMode('off');
  const offRate = median(off.map((r) => r.rate));
  const sum = (figures: Record<string, number>) => services.reduce((t, s) => t + (figures[s] ?? 0), 0);
  const total = (r: TracingRun) => sum(r.cpuUsPerMessage);
  const pacedTotal = (r: TracingRun) => sum(r.pacedCpuUsPerMessage);
  const offCpu = median(off.map(total));
  const offPaced = median(off.map(pacedTotal));
  const versus = (value: number, base: number) =>
    `${value >= base ? '+' : ''}${fmt(((value - base) / base) * 100)}%`;
  const rows = tracingModes.map((mode) => {
    const list = byMode(mode);
    const rate = median(list.map((r) => r.rate));
    const cpu = median(list.map(total));
    const pacedCpu = median(list.map(pacedTotal));
    return [
      mode,
      fmt(rate),
      `${fmt((rate / offRate) * 100)}%`,
      fmt(cpu, 0),
      versus(cpu, offCpu),
      ...services.map((s) => fmt(median(list.map((r) => r.pacedCpuUsPerMessage[s] ?? NaN)), 0)),
      `**${fmt(pacedCpu, 0)}**`,
      versus(pacedCpu, offPaced),
      `${fmt(median(list.map((r) => r.exportBytes)) / 1024)} KiB`,
    ];
  });
  const perRun = runs.map((r) => [
    String(r.round),
    r.mode,
    fmt(r.rate),
    fmt(total(r), 0),
    fmt(pacedTotal(r), 0),
    fmt(r.exportRequests),
    r.load,
  ]);
  return [
    `### Tracing cost run of ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `Machine: ${m['cores']} cores (${m['cpu']}), ${m['memory']}, Node ${m['node']}, ${m['mosquitto']}, ` +
      `${m['nats']}. Load average (1 min) ${runs.map((r) => r.load).join(' → ')} at the end of each run ` +
      `(shared machine). Command: \`npm run bench -- --tracing --seconds ${options.seconds} --rounds ${options.rounds} --paced ${options.pacedRate}\`, ` +
      `wall time ${Math.round(wallSeconds)} s. The mesh (ingest, rules, delivery as processes, Mosquitto, ` +
      `NATS JetStream) with the pipeline of the end-to-end run, QoS 1, closed loop of ${options.window} ` +
      `messages, ${options.seconds} s measured after 3 s of warm-up, then ${options.seconds} s open loop at ` +
      `${options.pacedRate} msg/s; the modes interleaved, ${options.rounds} ` +
      `round(s); medians. Spans go over OTLP/HTTP protobuf to a receiver in the benchmark process ` +
      `(batch processor, queue 16384).`,
    '',
    table(
      [
        'tracing',
        'sustained msg/s',
        'of off',
        'CPU µs/msg (closed loop)',
        'vs off',
        `ingest µs/msg at ${options.pacedRate}/s`,
        'rules',
        'delivery',
        `CPU µs/msg at ${options.pacedRate}/s (3 processes)`,
        'vs off',
        'exported (OTLP)',
      ],
      rows,
      ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
    ),
    '',
    'Each run:',
    '',
    table(
      [
        'round',
        'tracing',
        'sustained msg/s',
        'CPU µs/msg (closed loop)',
        `CPU µs/msg at ${options.pacedRate}/s`,
        'OTLP requests',
        'load (1 min)',
      ],
      perRun,
      ['r', 'l', 'r', 'r', 'r', 'r', 'r'],
    ),
  ].join('\n');
}
