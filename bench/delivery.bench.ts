/**
 * `npm run bench:delivery [-- --seconds N] [--envelopes batch|single]`: action requests per second
 * through the delivery service alone (issue 4), into PostgreSQL, a local node:http target and core
 * NATS, each beside the same client library writing directly in the same run:
 *
 * - pipeline: this process stores action requests in ACTIONS (as the rule stage does: batch
 *   envelopes by group commit, or one JetStream message per request with `--envelopes single`);
 *   `sluice start delivery` consumes them and writes to the target; arrivals are counted at the
 *   target (rows, requests, messages).
 * - direct: pg with the same multi-row INSERT (batches of the action's maxBatchSize, the pool's
 *   connections in parallel), undici with the same pool (8 connections, 64 requests outstanding =
 *   delivery's default concurrency), nats.js publish to the same subject.
 *
 * Both are closed loops with at most 1,000 requests outstanding. The figure is pipeline ÷ direct.
 * Writes its section of docs/benchmarks.md. Needs `npm run build` first and the servers of the test
 * setup on 127.0.0.1 (NATS with JetStream, PostgreSQL).
 */
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { connect, type NatsConnection } from 'nats';
import { Client, Pool as PgPool } from 'pg';
import { Pool as HttpPool } from 'undici';
import {
  createActionBatchPublisher,
  createSubjects,
  defaultBusConfig,
  encodeActionRequest,
  JetStreamBus,
  type ActionRequest,
} from '@sluice/bus';
import { closedLoop, type LoopResult } from './e2e/load';
import { LatencyTarget } from './e2e/latency-target';
import { cpuSeconds, fmt, load1, machineInfo, pidOf } from './e2e/measure';
import { replaceSection, table } from './e2e/report';
import { deleteNamespace, freePort, ServiceProcess } from './e2e/services';
import { writeDeliveryPipeline } from './e2e/delivery-pipeline';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const seconds = Number(arg('seconds') ?? 10);
const envelopes = (arg('envelopes') ?? 'batch') as 'batch' | 'single';
const targets = (arg('targets') ?? 'postgres,http,nats').split(',');
const verbose = process.env['BENCH_VERBOSE'] !== undefined;
const window = 1000;
const warmup = 2;
const natsUrl = process.env['SLUICE_NATS_URL'] ?? 'nats://127.0.0.1:4222';
const pgUrl = process.env['SLUICE_TEST_PG_URL'] ?? 'postgres://sluice:sluice@127.0.0.1:5432/sluice_test';
/** The defaults of the connectors and of the delivery service, mirrored by the direct writers. */
const PG_POOL = 8;
const PG_BATCH = 100;
const HTTP_CONNECTIONS = 8;
const HTTP_OUTSTANDING = 64;

type Target = 'postgres' | 'http' | 'nats';
interface Row {
  target: Target;
  direct: LoopResult;
  pipeline: LoopResult;
  deliveryCpuUs: number;
  natsCpuUs: number;
}

// why the connector in ids: JetStream de-duplicates by id across the stream, so ids must differ per phase
const body = (seq: number) => ({ dev: `d${seq % 100}`, temp: 25 + (seq % 7) / 10, ts: Date.now() });

async function main(): Promise<void> {
  const started = new Date();
  const loads = [load1()];
  const id = randomBytes(4).toString('hex');
  const namespace = `B_${id}_`;
  const tenant = `b${id}`;
  const schema = `bench_${id}`;
  const natsSubject = `bench.${id}.out`;
  const pg = new Client({ connectionString: pgUrl });
  await pg.connect();
  for (const t of ['direct', 'pipeline'])
    await pg.query(
      `CREATE TABLE IF NOT EXISTS ${schema}_${t} (seq bigserial, id text PRIMARY KEY, dev text, temp double precision, ts bigint)`,
    );
  const target = await new LatencyTarget().start();
  const nc: NatsConnection = await connect({ servers: natsUrl, noAsyncTraces: true });
  let natsArrived = 0;
  let kick = (): void => undefined;
  target.onRequest = () => kick();
  const subscription = nc.subscribe(natsSubject, {
    callback: () => {
      natsArrived++;
      kick();
    },
  });
  // BENCH_DELIVERY_CPU_PROF=<dir>: profile the delivery process (node --cpu-prof) during the run
  const profileDir = process.env['BENCH_DELIVERY_CPU_PROF'];
  const delivery = new ServiceProcess(
    'delivery',
    await freePort(),
    {
      SLUICE_PIPELINE_FILE: writeDeliveryPipeline({
        id,
        tenant,
        pgUrl,
        pgTable: `${schema}_pipeline`,
        httpUrl: target.url,
        natsUrl,
        natsSubject,
      }),
      SLUICE_BUS: 'nats',
      SLUICE_NATS_URL: natsUrl,
      SLUICE_BUS_NAMESPACE: namespace,
    },
    profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
  ).start();
  const subjects = createSubjects(namespace);
  const bus = new JetStreamBus(
    defaultBusConfig({ SLUICE_NATS_URL: natsUrl, SLUICE_BUS_NAMESPACE: namespace }),
    subjects,
  );
  const natsPid = pidOf('nats-server');
  const rows: Row[] = [];
  const pgPool = new PgPool({ connectionString: pgUrl, max: PG_POOL });
  const httpPool = new HttpPool(target.url, { connections: HTTP_CONNECTIONS, pipelining: 1 });
  let storeFailures = 0;
  try {
    await bus.start();
    await delivery.ready();
    const batches = createActionBatchPublisher(bus);
    const store = (connector: Target, seq: number): void => {
      const request: ActionRequest = {
        id: `${id}:${connector}:${seq}`,
        tenant,
        ruleId: 'bench',
        actionId: connector,
        connectorId: connector,
        data: Buffer.from(JSON.stringify(body(seq))),
        sourceMessageId: `${id}:${connector}:${seq}`,
        createdAt: Date.now(),
        trace: {},
      };
      const subject = subjects.actions(tenant, connector);
      const stored =
        envelopes === 'batch'
          ? batches.publish(subject, request)
          : bus.publish(subject, encodeActionRequest(request), { msgId: request.id });
      stored.catch((error: unknown) => {
        if (storeFailures++ === 0) console.error(`storing an action request failed: ${String(error)}`);
      });
    };
    const measurePipeline = async (
      connector: Target,
      arrived: () => number,
    ): Promise<Omit<Row, 'direct'>> => {
      const loop = closedLoop({ window, publish: (seq) => store(connector, seq), arrived });
      kick = loop.kick;
      const base = arrived();
      const cpu = [delivery.cpu(), natsPid ? cpuSeconds(natsPid) : NaN];
      const result = await loop.run(warmup, seconds);
      const handled = arrived() - base;
      kick = () => undefined;
      return {
        target: connector,
        pipeline: result,
        deliveryCpuUs: ((delivery.cpu() - cpu[0]!) / handled) * 1e6,
        natsCpuUs: natsPid ? ((cpuSeconds(natsPid) - cpu[1]!) / handled) * 1e6 : NaN,
      };
    };

    const run = async (connector: Target, direct: () => Promise<LoopResult>, arrived: () => number) => {
      // why the pipeline first: a direct core-NATS flood leaves the server busy for a while after it
      const pipelineResult = await measurePipeline(connector, arrived);
      rows.push({ ...pipelineResult, direct: await direct() });
      loads.push(load1());
      report(rows.at(-1)!);
      if (verbose) {
        for (const name of [
          'sluice_action_success_total',
          'sluice_action_failed_total',
          'sluice_action_retried_total',
        ])
          console.error(`  ${name} ${await delivery.metric(name)}`);
      }
    };
    if (targets.includes('postgres')) {
      // rows counted by polling the highest committed sequence (cheap: an index lookup)
      let pgRows = 0;
      let polling = true;
      const poller = (async () => {
        while (polling) {
          const { rows: r } = await pg.query<{ n: string | null }>(
            `SELECT max(seq) AS n FROM ${schema}_pipeline`,
          );
          pgRows = Number(r[0]?.n ?? 0);
          kick();
          await new Promise((done) => setTimeout(done, 5));
        }
      })();
      await run(
        'postgres',
        () => directPostgres(pgPool, `${schema}_direct`),
        () => pgRows,
      );
      polling = false;
      await poller;
    }
    if (targets.includes('http'))
      await run(
        'http',
        () => directHttp(httpPool, target),
        () => target.count('/bench'),
      );
    if (targets.includes('nats'))
      await run(
        'nats',
        () =>
          directNats(
            nc,
            natsSubject,
            () => natsArrived,
            (k) => (kick = k),
          ),
        () => natsArrived,
      );
  } finally {
    await delivery.stop();
    await bus.close();
    await subscription.drain().catch(() => undefined);
    await nc.close();
    await httpPool.close();
    await target.close();
    await pgPool.end();
    for (const t of ['direct', 'pipeline']) await pg.query(`DROP TABLE IF EXISTS ${schema}_${t}`);
    await pg.end();
    await deleteNamespace(natsUrl, namespace).catch((e: Error) => console.error(e.message));
  }
  if (verbose) console.error(delivery.output);
  if (storeFailures > 0) console.error(`${storeFailures} action requests could not be stored in ACTIONS`);
  const m = machineInfo();
  const command = `npm run bench:delivery -- --seconds ${seconds}${envelopes === 'single' ? ' --envelopes single' : ''}`;
  const text = [
    `### Delivery alone (issue 4), run of ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `Machine: ${m['cores']} cores (${m['cpu']}), Node ${m['node']}, ${m['nats']}. Load average (1 min) ` +
      `${loads.join(' → ')}. Command: \`${command}\` (after \`npm run build\`). ACTIONS envelopes: ` +
      `${envelopes === 'batch' ? 'batches by group commit (as the rule stage stores them)' : 'one JetStream message per request'}. ` +
      `Closed loops, at most ${window} requests outstanding, ${warmup} s warm-up, ${seconds} s measured.`,
    '',
    table(
      [
        'target',
        'direct client (req/s)',
        'through delivery (req/s)',
        'delivery ÷ direct',
        'delivery CPU µs/req',
        'nats-server CPU µs/req',
      ],
      rows.map((r) => [
        r.target === 'postgres'
          ? `PostgreSQL (pg, INSERT of ${PG_BATCH} rows, pool ${PG_POOL})`
          : r.target === 'http'
            ? `HTTP (undici, ${HTTP_CONNECTIONS} connections, ${HTTP_OUTSTANDING} outstanding)`
            : 'NATS core (nats.js publish)',
        fmt(r.direct.rate),
        fmt(r.pipeline.rate),
        `**${fmt((r.pipeline.rate / r.direct.rate) * 100, 1)}%**`,
        fmt(r.deliveryCpuUs, 1),
        fmt(r.natsCpuUs, 1),
      ]),
      ['l', 'r', 'r', 'r', 'r', 'r'],
    ),
    '',
    `Presumed lost (no progress for 2 s; none expected): ${rows.map((r) => `${r.target} ${r.pipeline.presumedLost}`).join(', ')}. ` +
      `nats-server CPU is the whole server's, shared with whatever else ran at the time.`,
  ].join('\n');
  console.log(text);
  replaceSection(join(resolve(__dirname, '..'), 'docs/benchmarks.md'), 'delivery', text);
}

function report(r: Row): void {
  console.log(
    `${r.target}: direct ${fmt(r.direct.rate)}/s, through delivery ${fmt(r.pipeline.rate)}/s, ` +
      `delivery ${fmt(r.deliveryCpuUs, 1)} µs/req`,
  );
}

/** The same multi-row INSERT the SQL action builds, `PG_POOL` statements at once, batches of `PG_BATCH`. */
async function directPostgres(pool: PgPool, tableName: string): Promise<LoopResult> {
  let seq = 0;
  let done = 0;
  const rowSql = (i: number) => `($${i * 4 + 1}, $${i * 4 + 2}, $${i * 4 + 3}, $${i * 4 + 4})`;
  const text = `INSERT INTO ${tableName} (id, dev, temp, ts) VALUES ${Array.from({ length: PG_BATCH }, (_, i) => rowSql(i)).join(', ')} ON CONFLICT (id) DO NOTHING`;
  return timedWorkers(
    PG_POOL,
    () => done,
    async () => {
      const values: unknown[] = [];
      for (let i = 0; i < PG_BATCH; i++) {
        const s = seq++;
        const b = body(s);
        values.push(`direct:${s}`, b.dev, b.temp, b.ts);
      }
      await pool.query(text, values);
      done += PG_BATCH;
    },
  );
}

/** undici with the HTTP connector's pool, `HTTP_OUTSTANDING` requests at once, the same body. */
async function directHttp(pool: HttpPool, target: LatencyTarget): Promise<LoopResult> {
  let seq = 0;
  return timedWorkers(
    HTTP_OUTSTANDING,
    () => target.count('/direct'),
    async () => {
      const response = await pool.request({
        path: '/direct',
        method: 'POST',
        body: JSON.stringify(body(seq++)),
        headers: { 'content-type': 'application/json' },
      });
      await response.body.dump();
    },
  );
}

/** nats.js core publish, closed loop counted by the same subscriber as the pipeline. */
async function directNats(
  nc: NatsConnection,
  subject: string,
  arrived: () => number,
  setKick: (kick: () => void) => void,
): Promise<LoopResult> {
  const loop = closedLoop({
    window,
    publish: (seq) => nc.publish(subject, Buffer.from(JSON.stringify(body(seq)))),
    arrived,
  });
  setKick(loop.kick);
  const result = await loop.run(warmup, seconds);
  setKick(() => undefined);
  return result;
}

/** Runs `workers` loops of `step` for the warm-up, then counts `count()` over the measured seconds. */
async function timedWorkers(
  workers: number,
  count: () => number,
  step: () => Promise<void>,
): Promise<LoopResult> {
  let running = true;
  const loops = Array.from({ length: workers }, async () => {
    while (running) await step();
  });
  await new Promise((done) => setTimeout(done, warmup * 1000));
  const start = performance.now();
  const base = count();
  await new Promise((done) => setTimeout(done, seconds * 1000));
  const arrived = count() - base;
  const measuredSeconds = (performance.now() - start) / 1000;
  running = false;
  await Promise.all(loops);
  return {
    rate: arrived / measuredSeconds,
    measuredSeconds,
    sent: count(),
    arrived: count(),
    presumedLost: 0,
  };
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
