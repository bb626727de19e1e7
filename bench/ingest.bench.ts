/**
 * `npm run bench:ingest [-- --seconds N --rounds R]`: messages per second from Mosquitto into
 * JetStream through the ingest service alone (issue 5), at QoS 0 and 1, beside plain mqtt.js
 * subscribers on the same broker in the same run. Each round measures, back to back: the plain
 * subscriber, a plain subscriber in a `$share` group of one, ingest's one-connection source and
 * ingest's two-connection source; the report gives medians over the rounds, and the ratio is the
 * median of each round's ingest ÷ plain (so load drifting between rounds cancels out).
 * Arrivals in INGEST are counted by a core NATS subscription on the stream's subjects (batch
 * envelopes unpacked), and checked at the end against ingest's `sluice_source_messages_stored_total`.
 * Writes its section of docs/benchmarks.md. Needs `npm run build` first.
 *
 * Experiments: `--qos 1`, `--ingest-env SLUICE_INGEST_BATCH_IN_FLIGHT=4,...` (ingest's settings),
 * `--node-args "--cpu-prof --cpu-prof-dir=/tmp/prof"` (profile the ingest process), `--no-report`.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { connect } from 'nats';
import { BATCH_HEADER, createSubjects, decodeIngestBatch } from '@sluice/bus';
import { closedLoop, connectClient, endSession, plainCeiling, telemetry, type LoopResult } from './e2e/load';
import { cpuSeconds, delay, fmt, load1, machineInfo, pidOf } from './e2e/measure';
import { clientIdPrefix } from '@sluice/pipeline';
import { replaceSection, table } from './e2e/report';
import { deleteNamespace, freePort, ServiceProcess } from './e2e/services';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const seconds = Number(arg('seconds') ?? 5);
const rounds = Number(arg('rounds') ?? 3);
const qosList = (arg('qos') ?? '0,1').split(',').map((q): 0 | 1 => (q === '0' ? 0 : 1));
const ingestEnv = Object.fromEntries(
  (arg('ingest-env') ?? '')
    .split(',')
    .filter((pair) => pair.includes('='))
    .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
);
const nodeArgs = (arg('node-args') ?? '').split(' ').filter((a) => a !== '');
const report = !process.argv.includes('--no-report');
const window = 1000;
const natsUrl = process.env['SLUICE_NATS_URL'] ?? 'nats://127.0.0.1:4222';
const mqttUrl = process.env['SLUICE_MQTT_URL'] ?? 'mqtt://127.0.0.1:1883';
/** The two ingest sources: same settings but the number of broker connections in the share group. */
const sources = [
  { id: 'one', connections: 1 },
  { id: 'two', connections: 2 },
] as const;

interface IngestRun {
  rate: number;
  cpuUs: number;
  natsCpuUs: number;
  /** MQTT messages per JetStream message (batch envelopes). */
  perBatch: number;
}
interface Round {
  plain: LoopResult;
  shared: LoopResult;
  ingest: IngestRun[];
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

function writePipeline(id: string, topicPrefix: string): string {
  const pipeline = {
    tenants: [
      {
        id: `b${id}`,
        sources: sources.map((s) => ({
          id: s.id,
          connections: s.connections,
          topics: [{ filter: `${topicPrefix}${s.id}/#`, qos: 1 }],
        })),
        connectors: [],
        rules: [],
      },
    ],
  };
  const path = join(mkdtempSync(join(tmpdir(), `sluice-bench-${id}-`)), 'pipeline.json');
  writeFileSync(path, JSON.stringify(pipeline, null, 2));
  return path;
}

async function main(): Promise<void> {
  const started = new Date();
  const loads = [load1()];
  const id = randomBytes(4).toString('hex');
  const namespace = `B_${id}_`;
  const topicPrefix = `b/${id}/`;
  const ingest = new ServiceProcess(
    'ingest',
    await freePort(),
    {
      SLUICE_PIPELINE_FILE: writePipeline(id, topicPrefix),
      SLUICE_BUS: 'nats',
      SLUICE_NATS_URL: natsUrl,
      SLUICE_BUS_NAMESPACE: namespace,
      SLUICE_MQTT_URL: mqttUrl,
      SLUICE_INGEST_CLIENT_ID_PREFIX: `bench-${id}-`,
      ...ingestEnv,
    },
    nodeArgs,
  ).start();
  const nc = await connect({ servers: natsUrl, noAsyncTraces: true });
  let stored = 0;
  let jetStreamMessages = 0;
  let kick = (): void => undefined;
  const subscription = nc.subscribe(createSubjects(namespace).ingestAll(), {
    callback: (_error, message) => {
      jetStreamMessages++;
      stored += message.headers?.get(BATCH_HEADER) ? decodeIngestBatch(message.data).length : 1;
      kick();
    },
  });
  const natsPid = pidOf('nats-server');
  const results = new Map<0 | 1, Round[]>();
  let storedByMetric = 0;
  try {
    await ingest.ready();
    const publisher = await connectClient(mqttUrl, `bench-pub-${id}`);
    const jsm = await nc.jetstreamManager();
    const measureIngest = async (qos: 0 | 1, source: string): Promise<IngestRun> => {
      // why purge: nothing consumes INGEST here, and a full stream refuses stores (QoS 1 then
      // retries with backoff, QoS 0 drops) while the subject subscription still sees each attempt
      await jsm.streams.purge(createSubjects(namespace).stream('INGEST'));
      const topic = `${topicPrefix}${source}/site1/dev1/telemetry`;
      const base = stored;
      const baseMessages = jetStreamMessages;
      const loop = closedLoop({
        window,
        publish: (seq) => void publisher.publish(topic, telemetry(seq), { qos }),
        arrived: () => stored - base,
      });
      kick = loop.kick;
      const cpu = [ingest.cpu(), natsPid ? cpuSeconds(natsPid) : NaN];
      const result = await loop.run(2, seconds);
      const handled = stored - base;
      kick = () => undefined;
      return {
        rate: result.rate,
        perBatch: handled / (jetStreamMessages - baseMessages),
        cpuUs: ((ingest.cpu() - cpu[0]!) / handled) * 1e6,
        natsCpuUs: natsPid ? ((cpuSeconds(natsPid) - cpu[1]!) / handled) * 1e6 : NaN,
      };
    };
    for (const qos of qosList) {
      const done: Round[] = [];
      results.set(qos, done);
      for (let round = 1; round <= rounds; round++) {
        const plain = await plainCeiling(mqttUrl, `c/${id}/plain`, qos, 2, seconds);
        const shared = await plainCeiling(
          mqttUrl,
          `$share/bench/c/${id}/shared`,
          qos,
          2,
          seconds,
          `c/${id}/shared`,
        );
        const runs: IngestRun[] = [];
        for (const source of sources) runs.push(await measureIngest(qos, source.id));
        done.push({ plain, shared, ingest: runs });
        loads.push(load1());
        console.log(
          `QoS ${qos} round ${round} (load ${load1()}): plain ${fmt(plain.rate)}/s, $share ${fmt(shared.rate)}/s, ` +
            runs
              .map(
                (r, i) =>
                  `ingest ${sources[i]!.connections} conn ${fmt(r.rate)}/s (${fmt((r.rate / plain.rate) * 100)}%, ` +
                  `${fmt(r.cpuUs, 1)} µs/msg, ${fmt(r.perBatch, 1)} per JetStream message)`,
              )
              .join(', '),
        );
      }
    }
    await publisher.endAsync(true);
    // why wait: the last phase ends with up to `window` messages on their way, whose PubAcks (and so
    // the metric) may come after the subscription saw them
    const until = Date.now() + 10_000;
    do {
      await delay(200);
      storedByMetric = await ingest.metric('sluice_source_messages_stored_total');
    } while (storedByMetric < stored && Date.now() < until);
  } finally {
    await subscription.drain();
    await nc.close();
    await ingest.stop();
    for (const source of sources) {
      for (let n = 0; n < source.connections; n++) {
        await endSession(mqttUrl, `${clientIdPrefix(`bench-${id}-`, `b${id}`, source.id)}-${n}`).catch(
          (e: Error) => console.error(e.message),
        );
      }
    }
    await deleteNamespace(natsUrl, namespace).catch((e: Error) => console.error(e.message));
  }
  const text = render(started, loads, results, storedByMetric, stored);
  console.log(text);
  if (report) replaceSection(join(resolve(__dirname, '..'), 'docs/benchmarks.md'), 'ingest', text);
}

function render(
  started: Date,
  loads: string[],
  results: Map<0 | 1, Round[]>,
  storedByMetric: number,
  stored: number,
): string {
  const m = machineInfo();
  const rows: string[][] = [];
  for (const [qos, done] of results) {
    const plain = median(done.map((r) => r.plain.rate));
    sources.forEach((source, i) => {
      const runs = done.map((r) => r.ingest[i]!);
      const ratios = done.map((r) => (r.ingest[i]!.rate / r.plain.rate) * 100);
      rows.push([
        String(qos),
        fmt(plain),
        fmt(median(done.map((r) => r.shared.rate))),
        String(source.connections),
        fmt(median(runs.map((r) => r.rate))),
        `**${fmt(median(ratios))}%** (${fmt(Math.min(...ratios))}-${fmt(Math.max(...ratios))})`,
        fmt(median(runs.map((r) => r.perBatch)), 1),
        fmt(median(runs.map((r) => r.cpuUs)), 1),
        fmt(median(runs.map((r) => r.natsCpuUs)), 1),
      ]);
    });
  }
  const extra = [
    Object.keys(ingestEnv).length > 0 ? ` --ingest-env ${arg('ingest-env')}` : '',
    qosList.length < 2 ? ` --qos ${arg('qos')}` : '',
  ].join('');
  return [
    `### Ingest alone (issue 5), run of ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `Machine: ${m['cores']} cores (${m['cpu']}), Node ${m['node']}. Load average (1 min) at the start and ` +
      `after each round: ${loads.join(' → ')}. Command: \`npm run bench:ingest -- --seconds ${seconds} ` +
      `--rounds ${rounds}${extra}\`. Closed loop, at most ${window} messages between the publisher and INGEST ` +
      `(or the plain subscriber), 2 s warm-up, ${seconds} s measured per phase; medians of ${rounds} rounds, ` +
      `the ratio is the median of the rounds' ratios (range in brackets). Stored per ingest's own metric at ` +
      `the end: ${fmt(storedByMetric)}; counted on the INGEST subjects: ${fmt(stored)}.`,
    '',
    table(
      [
        'QoS',
        'plain mqtt.js sub (msg/s)',
        'plain, `$share` group of 1 (msg/s)',
        'ingest connections',
        'ingest → JetStream (msg/s)',
        'ingest ÷ plain',
        'messages per JetStream message',
        'ingest CPU µs/msg',
        'nats-server CPU µs/msg',
      ],
      rows,
      ['r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
    ),
    '',
    `Goal (issue 5): ingest at least 80% of the plain subscriber at QoS 1. nats-server CPU is the whole ` +
      `server's, shared with whatever else ran at the time.`,
  ].join('\n');
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
