/**
 * `npm run bench:ingest [-- --seconds N]`: messages per second from Mosquitto into JetStream
 * through the ingest service alone (issue 5), at QoS 0 and 1, beside plain mqtt.js subscribers on
 * the same broker in the same run. Arrivals in INGEST are counted by a core NATS subscription on
 * the stream's subjects (batch envelopes unpacked), and checked at the end against ingest's own
 * `sluice_source_messages_stored_total`. Writes its section of docs/benchmarks.md. Needs
 * `npm run build` first.
 */
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { connect } from 'nats';
import { BATCH_HEADER, createSubjects, decodeIngestBatch } from '@sluice/bus';
import { closedLoop, connectClient, endSession, plainCeiling, telemetry, type LoopResult } from './e2e/load';
import { cpuSeconds, fmt, load1, machineInfo, pidOf } from './e2e/measure';
import { clientIdPrefix } from '../services/ingest/src/client-id';
import { replaceSection, table } from './e2e/report';
import { deleteNamespace, freePort, ServiceProcess, writeBenchPipeline } from './e2e/services';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const seconds = Number(arg('seconds') ?? 10);
const window = 1000;
const natsUrl = process.env['SLUICE_NATS_URL'] ?? 'nats://127.0.0.1:4222';
const mqttUrl = process.env['SLUICE_MQTT_URL'] ?? 'mqtt://127.0.0.1:1883';

interface Row {
  qos: 0 | 1;
  plain: LoopResult;
  plainShared: LoopResult;
  ingest: LoopResult;
  ingestCpuUs: number;
  natsCpuUs: number;
}

async function main(): Promise<void> {
  const started = new Date();
  const loads = [load1()];
  const id = randomBytes(4).toString('hex');
  const namespace = `B_${id}_`;
  const topicPrefix = `b/${id}/`;
  const ingest = new ServiceProcess('ingest', await freePort(), {
    SLUICE_PIPELINE_FILE: writeBenchPipeline({ id, topicPrefix, withRules: false }),
    SLUICE_BUS: 'nats',
    SLUICE_NATS_URL: natsUrl,
    SLUICE_BUS_NAMESPACE: namespace,
    SLUICE_MQTT_URL: mqttUrl,
    SLUICE_INGEST_CLIENT_ID_PREFIX: `bench-${id}-`,
  }).start();
  const nc = await connect({ servers: natsUrl, noAsyncTraces: true });
  let stored = 0;
  let kick = (): void => undefined;
  const subscription = nc.subscribe(createSubjects(namespace).ingestAll(), {
    callback: (_error, message) => {
      stored += message.headers?.get(BATCH_HEADER) ? decodeIngestBatch(message.data).length : 1;
      kick();
    },
  });
  const natsPid = pidOf('nats-server');
  const rows: Row[] = [];
  let storedByMetric = 0;
  try {
    await ingest.ready();
    const publisher = await connectClient(mqttUrl, `bench-pub-${id}`);
    for (const qos of [0, 1] as const) {
      const plain = await plainCeiling(mqttUrl, `c/${id}/plain`, qos, 2, seconds);
      const plainShared = await plainCeiling(
        mqttUrl,
        `$share/bench/c/${id}/shared`,
        qos,
        2,
        seconds,
        `c/${id}/shared`,
      );
      const topic = `${topicPrefix}site1/dev1/telemetry`;
      const base = stored;
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
      rows.push({
        qos,
        plain,
        plainShared,
        ingest: result,
        ingestCpuUs: ((ingest.cpu() - cpu[0]!) / handled) * 1e6,
        natsCpuUs: natsPid ? ((cpuSeconds(natsPid) - cpu[1]!) / handled) * 1e6 : NaN,
      });
      console.log(
        `QoS ${qos}: plain ${fmt(plain.rate)}/s, $share ${fmt(plainShared.rate)}/s, ingest ${fmt(result.rate)}/s`,
      );
      loads.push(load1());
    }
    await publisher.endAsync(true);
    storedByMetric = await ingest.metric('sluice_source_messages_stored_total');
  } finally {
    await subscription.drain();
    await nc.close();
    await ingest.stop();
    await endSession(mqttUrl, `${clientIdPrefix(`bench-${id}-`, `b${id}`, 'devices')}-0`).catch((e: Error) =>
      console.error(e.message),
    );
    await deleteNamespace(natsUrl, namespace).catch((e: Error) => console.error(e.message));
  }
  const m = machineInfo();
  const text = [
    `### Ingest alone (issue 5), run of ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `Machine as above (${m['cores']} cores, ${m['node']}). Load average (1 min) ${loads.join(' → ')}. ` +
      `Command: \`npm run bench:ingest -- --seconds ${seconds}\`. Closed loop, at most ${window} messages ` +
      `between the publisher and INGEST (or the plain subscriber). Stored per ingest's own metric at the ` +
      `end: ${fmt(storedByMetric)}; counted on the INGEST subjects: ${fmt(stored)}.`,
    '',
    table(
      [
        'QoS',
        'plain mqtt.js sub (msg/s)',
        'plain, `$share` group of 1 (msg/s)',
        'ingest → JetStream (msg/s)',
        'ingest ÷ plain',
        'ingest CPU µs/msg',
        'nats-server CPU µs/msg',
      ],
      rows.map((r) => [
        String(r.qos),
        fmt(r.plain.rate),
        fmt(r.plainShared.rate),
        fmt(r.ingest.rate),
        `**${fmt((r.ingest.rate / r.plain.rate) * 100)}%**`,
        fmt(r.ingestCpuUs, 1),
        fmt(r.natsCpuUs, 1),
      ]),
      ['r', 'r', 'r', 'r', 'r', 'r', 'r'],
    ),
    '',
    `Goal (issue 5): ingest at least 80% of the plain subscriber at QoS 1. nats-server CPU is the whole ` +
      `server's, shared with whatever else ran at the time.`,
  ].join('\n');
  console.log(text);
  replaceSection(join(resolve(__dirname, '..'), 'docs/benchmarks.md'), 'ingest', text);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
