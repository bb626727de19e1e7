/**
 * `npm run soak -- --minutes N [--rate R]`: the soak run (issue 10). Starts a private NATS
 * (JetStream) and a private Mosquitto, the mesh as separate processes (ingest, rules, delivery) with
 * the benchmark pipeline (a filter rule and a projection rule to a local HTTP target, bench/e2e),
 * measures the sustained QoS 1 rate (closed loop, as `npm run bench`), then publishes QoS 1 at half
 * of it (or R messages/s) for N minutes and reports, per minute: what arrived, end-to-end latency
 * percentiles, resident memory and CPU of each process (the servers too), so a leak shows as a
 * trend. Writes its section of docs/benchmarks.md and bench/e2e/soak-last-run.json. Needs
 * `npm run build` first.
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LatencyTarget } from './e2e/latency-target';
import { closedLoop, connectClient, paced, telemetry, waitFor } from './e2e/load';
import { cpuSeconds, fmt, load1, machineInfo, percentile } from './e2e/measure';
import { replaceSection, table } from './e2e/report';
import { writeBenchPipeline } from './e2e/services';
import { FaultMesh, rssMiB } from '../test/support/fault-mesh';
import { PrivateMosquitto, PrivateNats } from '../test/support/private-server';
import { testNamespace } from '../test/support/test-namespace';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const minutes = Number(arg('minutes') ?? 10);
const fixedRate = arg('rate') ? Number(arg('rate')) : undefined;
const root = resolve(__dirname, '..');

interface Minute {
  minute: number;
  load: string;
  offered: number;
  arrived: number;
  p50: number;
  p99: number;
  max: number;
  /** Peak VmRSS in the minute (MiB) and CPU share of one core (%), per process. */
  rss: Record<string, number>;
  cpu: Record<string, number>;
}

async function main(): Promise<void> {
  const started = new Date();
  const ns = testNamespace();
  const nats = new PrivateNats();
  const broker = new PrivateMosquitto();
  const target = await new LatencyTarget().start();
  let mesh: FaultMesh | undefined;
  const result = { started: started.toISOString(), minutes, sustained: 0, rate: 0, rows: [] as Minute[] };
  let missing = 0;
  try {
    await Promise.all([nats.start(), broker.start()]);
    const pipelineFile = writeBenchPipeline({
      id: ns.id,
      topicPrefix: ns.topicPrefix,
      targetUrl: target.url,
      withRules: true,
    });
    mesh = await new FaultMesh({
      ns,
      natsUrl: nats.url,
      mqttUrl: broker.url,
      pipelineFile,
      services: ['ingest', 'rules', 'delivery'],
      env: { SLUICE_BUS_ACK_WAIT_MS: '30000' },
    }).start();
    const publisher = await connectClient(broker.url, `soak-pub-${ns.id}`);
    const topic = `${ns.topicPrefix}site1/dev1/telemetry`;
    const publish = (seq: number): void => void publisher.publish(topic, telemetry(seq), { qos: 1 });
    const arrived = (): number => target.count('/projection');

    const loop = closedLoop({ window: 1000, publish, arrived });
    target.onRequest = loop.kick;
    const sustained = await loop.run(3, 10);
    target.onRequest = () => undefined;
    await waitFor(() => arrived() >= sustained.sent, 60_000);
    result.sustained = sustained.rate;
    result.rate = fixedRate ?? Math.max(10, Math.round(sustained.rate / 2));
    console.log(`sustained ${fmt(sustained.rate)}/s; soaking at ${result.rate}/s for ${minutes} min`);

    const pids = (): Record<string, number> => ({
      ingest: mesh!.get('ingest').pid,
      rules: mesh!.get('rules').pid,
      delivery: mesh!.get('delivery').pid,
      'nats-server': nats.pid,
      mosquitto: broker.pid,
    });
    let sent = 0;
    const base = arrived();
    for (let minute = 1; minute <= minutes; minute++) {
      const peak: Record<string, number> = {};
      const sample = (): void => {
        for (const [name, pid] of Object.entries(pids()))
          peak[name] = Math.max(peak[name] ?? 0, rssMiB(pid) || 0);
      };
      const cpuBefore = Object.fromEntries(Object.entries(pids()).map(([n, pid]) => [n, cpuSeconds(pid)]));
      const sampler = setInterval(sample, 2000);
      target.latencies = [];
      target.recording = true;
      const arrivedBefore = arrived();
      const t0 = performance.now();
      sent += await paced(result.rate, 60, (seq) => publish(sent + seq));
      const seconds = (performance.now() - t0) / 1000;
      clearInterval(sampler);
      sample();
      target.recording = false;
      const sorted = target.latencies.sort((a, b) => a - b);
      const row: Minute = {
        minute,
        load: load1(),
        offered: result.rate,
        arrived: (arrived() - arrivedBefore) / seconds,
        p50: percentile(sorted, 50),
        p99: percentile(sorted, 99),
        max: sorted[sorted.length - 1] ?? NaN,
        rss: peak,
        cpu: Object.fromEntries(
          Object.entries(pids()).map(([n, pid]) => [n, ((cpuSeconds(pid) - cpuBefore[n]!) / seconds) * 100]),
        ),
      };
      result.rows.push(row);
      console.log(
        `min ${minute}: ${fmt(row.arrived)}/s arrived, p50 ${row.p50} p99 ${row.p99} max ${row.max} ms, RSS ` +
          Object.entries(peak)
            .map(([n, v]) => `${n} ${fmt(v)}`)
            .join(', ') +
          `, load ${row.load}`,
      );
    }
    await waitFor(() => arrived() - base >= sent, 60_000);
    missing = Math.max(0, sent - (arrived() - base));
    await publisher.endAsync(true);
  } finally {
    if (mesh && process.env['BENCH_DEBUG']) console.log(mesh.output());
    await mesh?.stop();
    await target.close();
    await Promise.all([nats.cleanup(), broker.cleanup()]);
  }
  const text = markdown(result, missing, started);
  console.log(text);
  writeFileSync(join(root, 'bench/e2e/soak-last-run.json'), JSON.stringify(result, null, 2));
  replaceSection(join(root, 'docs/benchmarks.md'), 'soak', text);
}

/** Least-squares slope of `ys` against 0..n-1 (MiB per minute). */
function slope(ys: number[]): number {
  const n = ys.length;
  if (n < 2) return NaN;
  const mx = (n - 1) / 2;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  ys.forEach((y, x) => {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  });
  return num / den;
}

function markdown(
  result: { minutes: number; sustained: number; rate: number; rows: Minute[] },
  missing: number,
  started: Date,
): string {
  const m = machineInfo();
  const names = Object.keys(result.rows[0]?.rss ?? {});
  const rows = result.rows.map((r) => [
    String(r.minute),
    r.load,
    fmt(r.arrived),
    fmt(r.p50),
    fmt(r.p99),
    fmt(r.max),
    ...names.map((n) => `${fmt(r.rss[n] ?? NaN)} / ${fmt(r.cpu[n] ?? NaN)}%`),
  ]);
  // why from minute 2: the first minute includes the processes' warm-up (JIT, pools, caches)
  const trend = names
    .map((n) => `${n} ${fmt(slope(result.rows.slice(1).map((r) => r.rss[n] ?? NaN)), 2)}`)
    .join(', ');
  return [
    `### Soak run of ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `Machine: ${m['cores']} cores (${m['cpu']}), ${m['memory']}, Node ${m['node']}, ${m['mosquitto']}, ` +
      `${m['nats']} (private servers started by the script). Command: \`npm run soak -- --minutes ${result.minutes}\`. ` +
      `Sustained QoS 1 rate measured first: ${fmt(result.sustained)} messages/s (closed loop, window 1,000); ` +
      `soak at ${fmt(result.rate)} messages/s QoS 1 for ${result.minutes} minutes; ` +
      `${missing === 0 ? 'every message arrived' : `**${fmt(missing)} missing** 60 s after the end`}.`,
    '',
    table(
      [
        'minute',
        'load (1 min)',
        'arrived msg/s',
        'p50 ms',
        'p99 ms',
        'max ms',
        ...names.map((n) => `${n} MiB / CPU`),
      ],
      rows,
      ['r', 'r', 'r', 'r', 'r', 'r', ...names.map(() => 'r' as const)],
    ),
    '',
    `RSS trend from minute 2 to the end (least-squares slope, MiB per minute): ${trend}.`,
  ].join('\n');
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
