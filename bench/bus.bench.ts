/**
 * `node -r @swc-node/register bench/bus.bench.ts [messages]`: publish+consume throughput of the
 * in-process bus, the JetStream bus (single messages and batch envelopes) and raw nats.js (core,
 * and js.publish) in one run, closed loop with at most 1000 messages outstanding, ~50-byte JSON.
 * Prints a Markdown table with client CPU and nats-server CPU per message. Figures only compare
 * within one run (docs/benchmarks.md on noise). Needs NATS with JetStream on SLUICE_NATS_URL.
 */
import { execSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, headers, type NatsConnection } from 'nats';
import {
  BATCH_HEADER,
  createBus,
  createIngestBatchPublisher,
  createSubjects,
  decodeIngestMessages,
  decodeIngestBatch,
  defaultBusConfig,
  encodeIngestBatch,
  JetStreamBus,
  type Bus,
  type IngestEnvelope,
  type Subjects,
} from '@sluice/bus';

const N = Number(process.argv[2] ?? 50_000);
const OUTSTANDING = 1_000;
const LANES = 256;
const BATCH = 50;
const natsUrl = process.env['SLUICE_NATS_URL'] ?? 'nats://127.0.0.1:4222';
const payload = new TextEncoder().encode(JSON.stringify({ dev: 'd1', temp: 21.5, hum: 40, ts: 1763771000 }));

interface Result {
  name: string;
  messages: number;
  ms: number;
  clientCpuUs: number;
  serverCpuUs?: number;
}

function natsServerTicks(): number | undefined {
  try {
    const pid = execSync('pgrep -x nats-server', { encoding: 'utf8' }).trim().split('\n')[0];
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime + stime, in clock ticks (1/100 s)
  } catch {
    return undefined;
  }
}

async function measure(name: string, messages: number, run: () => Promise<void>): Promise<Result> {
  const ticks = natsServerTicks();
  const cpu = process.cpuUsage();
  const start = performance.now();
  await run();
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  const after = natsServerTicks();
  return {
    name,
    messages,
    ms,
    clientCpuUs: used.user + used.system,
    serverCpuUs: ticks !== undefined && after !== undefined ? (after - ticks) * 10_000 : undefined,
  };
}

/** Credits bound what is published but not yet consumed (the closed loop). */
class Credits {
  private waiters: (() => void)[] = [];
  constructor(private free: number) {}
  async take(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return;
    }
    await new Promise<void>((resolve) => this.waiters.push(resolve));
  }
  give(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.free++;
  }
}

async function lanes(
  count: number,
  publishOne: (i: number) => Promise<void>,
  credits: Credits,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: LANES }, async () => {
      while (next < count) {
        const i = next++;
        await credits.take();
        await publishOne(i);
      }
    }),
  );
}

async function busRoundTrip(bus: Bus, subjects: Subjects, label: string): Promise<Result> {
  const subject = subjects.ingest('bench', 'src');
  const credits = new Credits(OUTSTANDING);
  let received = 0;
  let done!: () => void;
  const all = new Promise<void>((resolve) => (done = resolve));
  const consumption = await bus.consume(
    { stream: 'INGEST', durable: 'bench', filterSubject: subjects.ingestAll(), maxAckPending: OUTSTANDING },
    async (m) => {
      await m.ack();
      credits.give();
      if (++received === N) done();
    },
  );
  const result = await measure(label, N, async () => {
    await lanes(N, (i) => bus.publish(subject, payload, { msgId: `m${i}` }), credits);
    await all;
  });
  await consumption.stop();
  await deleteDurable?.('bench');
  return result;
}

/** Set for the JetStream runs: a work-queue stream takes one consumer per filter at a time. */
let deleteDurable: ((name: string) => Promise<unknown>) | undefined;

function envelope(i: number): IngestEnvelope {
  return {
    id: `m${i}`,
    tenant: 'bench',
    source: 'src',
    topic: 'sensors/d1',
    payload: Buffer.from(payload),
    qos: 1,
    retain: false,
    userProperties: [],
    clientid: 'c',
    username: '',
    peerhost: '',
    receivedAt: Date.now(),
    trace: {},
  };
}

async function busGroupCommit(
  bus: Bus,
  subjects: Subjects,
  label = 'JetStreamBus + BatchPublisher (group commit, one publish per message)',
): Promise<Result> {
  const subject = subjects.ingest('bench', 'src');
  const batches = createIngestBatchPublisher(bus);
  const credits = new Credits(OUTSTANDING);
  let received = 0;
  let done!: () => void;
  const all = new Promise<void>((resolve) => (done = resolve));
  const consumption = await bus.consume(
    { stream: 'INGEST', durable: 'bench_group', filterSubject: subjects.ingestAll(), maxAckPending: 64 },
    async (m) => {
      const envelopes = decodeIngestMessages(m);
      received += envelopes.length;
      await m.ack();
      for (let k = 0; k < envelopes.length; k++) credits.give();
      if (received >= N) done();
    },
  );
  const result = await measure(label, N, async () => {
    await lanes(N, (i) => batches.publish(subject, envelope(i)), credits);
    await all;
  });
  await consumption.stop();
  await deleteDurable?.('bench_group');
  return result;
}

async function busBatched(bus: Bus, subjects: Subjects): Promise<Result> {
  const subject = subjects.ingest('bench', 'src');
  const batches = Math.ceil(N / BATCH);
  const credits = new Credits(Math.ceil(OUTSTANDING / BATCH));
  let received = 0;
  let done!: () => void;
  const all = new Promise<void>((resolve) => (done = resolve));
  const consumption = await bus.consume(
    { stream: 'INGEST', durable: 'bench_batch', filterSubject: subjects.ingestAll(), maxAckPending: 64 },
    async (m) => {
      received += decodeIngestBatch(m.data).length;
      await m.ack();
      credits.give();
      if (received >= N) done();
    },
  );
  const result = await measure(`JetStreamBus, batch envelopes of ${BATCH} (encode+decode)`, N, async () => {
    await lanes(
      batches,
      (b) => {
        const items = Array.from({ length: BATCH }, (_, k) => envelope(b * BATCH + k));
        return bus.publish(subject, encodeIngestBatch(items), {
          msgId: `b${b}`,
          headers: { [BATCH_HEADER]: String(BATCH) },
        });
      },
      credits,
    );
    await all;
  });
  await consumption.stop();
  await deleteDurable?.('bench_batch');
  return result;
}

async function coreRoundTrip(nc: NatsConnection, prefix: string): Promise<Result> {
  const subject = `${prefix}core`;
  const credits = new Credits(OUTSTANDING);
  let received = 0;
  let done!: () => void;
  const all = new Promise<void>((resolve) => (done = resolve));
  const sub = nc.subscribe(subject, {
    callback: () => {
      credits.give();
      if (++received === N) done();
    },
  });
  await nc.flush();
  const result = await measure('nats core publish -> subscribe (no storage)', N, async () => {
    for (let i = 0; i < N; i++) {
      await credits.take();
      nc.publish(subject, payload);
    }
    await all;
  });
  sub.unsubscribe();
  return result;
}

async function jsPublishOnly(nc: NatsConnection, subjects: Subjects): Promise<Result> {
  const js = nc.jetstream();
  const subject = subjects.ingest('bench', 'jspub');
  return measure('js.publish (256 in flight), publish only', N, async () => {
    let next = 0;
    await Promise.all(
      Array.from({ length: LANES }, async () => {
        while (next < N) {
          const h = headers();
          h.set('Nats-Msg-Id', `j${next}`);
          next++;
          await js.publish(subject, payload, { headers: h });
        }
      }),
    );
  });
}

async function busPublishOnly(bus: Bus, subjects: Subjects): Promise<Result> {
  const subject = subjects.ingest('bench', 'pub');
  return measure('JetStreamBus.publish (ack window), publish only', N, async () => {
    let next = 0;
    await Promise.all(
      Array.from({ length: LANES }, async () => {
        while (next < N) await bus.publish(subject, payload, { msgId: `p${next++}` });
      }),
    );
  });
}

function row(r: Result): string {
  const rate = Math.round(r.messages / (r.ms / 1000)).toLocaleString('en');
  const client = (r.clientCpuUs / r.messages).toFixed(1);
  const server = r.serverCpuUs === undefined ? 'n/a' : (r.serverCpuUs / r.messages).toFixed(1);
  return `| ${r.name} | ${rate} | ${client} | ${server} |`;
}

async function main(): Promise<void> {
  const namespace = `BENCH_${process.pid}_`;
  const config = defaultBusConfig({ SLUICE_NATS_URL: natsUrl, SLUICE_BUS_INGEST_MAX_MSGS: 10_000_000 });
  const results: Result[] = [];

  // the embedded mode's bus in memory (the baseline) and on its log (the default): durability's cost
  const storages = [
    ['memory', {}],
    ['file, sync normal', { SLUICE_BUS_STORAGE: 'file', SLUICE_BUS_SYNC: 'normal' }],
    ['file, sync full', { SLUICE_BUS_STORAGE: 'file', SLUICE_BUS_SYNC: 'full' }],
  ] as const;
  for (const [label, storage] of storages) {
    const dataDir = mkdtempSync(join(tmpdir(), 'sluice-bench-bus-'));
    const inProcessConfig = {
      ...config,
      SLUICE_BUS_STORAGE: 'memory' as const,
      ...storage,
      SLUICE_DATA_DIR: dataDir,
    };
    for (const grouped of [false, true]) {
      const inProcess = createBus(inProcessConfig, { namespace });
      await inProcess.start();
      results.push(
        grouped
          ? await busGroupCommit(
              inProcess,
              createSubjects(namespace),
              `InProcessBus (${label}) + BatchPublisher`,
            )
          : await busRoundTrip(
              inProcess,
              createSubjects(namespace),
              `InProcessBus (${label}) publish -> consume, ack each`,
            ),
      );
      await inProcess.close();
    }
    rmSync(dataDir, { recursive: true, force: true });
  }

  const nc = await connect({ servers: natsUrl, noAsyncTraces: true });
  const subjects = createSubjects(namespace);
  const bus = new JetStreamBus(config, subjects);
  await bus.start();
  try {
    results.push(await coreRoundTrip(nc, namespace));
    results.push(await jsPublishOnly(nc, subjects));
    results.push(await busPublishOnly(bus, subjects));
    const jsm = await nc.jetstreamManager();
    await jsm.streams.purge(subjects.stream('INGEST'));
    deleteDurable = (name) => jsm.consumers.delete(subjects.stream('INGEST'), name);
    results.push(
      await busRoundTrip(bus, subjects, 'JetStreamBus publish -> durable pull consume, ack() each'),
    );
    results.push(await busBatched(bus, subjects));
    results.push(await busGroupCommit(bus, subjects));
  } finally {
    await bus.close();
    const jsm = await nc.jetstreamManager();
    for (const name of ['INGEST', 'ACTIONS', 'DLQ'] as const)
      await jsm.streams.delete(subjects.stream(name)).catch(() => false);
    await nc.close();
  }

  console.log(
    `\n${N.toLocaleString('en')} messages of ${payload.length} bytes, at most ${OUTSTANDING} outstanding\n`,
  );
  console.log('| path | messages/s | client CPU µs/msg | nats-server CPU µs/msg |');
  console.log('| --- | ---: | ---: | ---: |');
  for (const r of results) console.log(row(r));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
