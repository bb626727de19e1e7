/**
 * `npm run bench:http-connector [-- --seconds N --rounds R]`: the HTTP connector's own cost per
 * request against bare undici with the same pool (8 keep-alive connections, no pipelining) and 64
 * requests outstanding, in the same run, alternating. The target is a node:http server in a child
 * process (bench/e2e/http-target-process.ts) so this process's CPU is the client's alone. Prints
 * requests/s and CPU µs per request of each, and the ratios; writes nothing.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Pool } from 'undici';
import { createConnector, type DeliveryRecord } from '@sluice/connectors';
import { fmt, load1 } from './e2e/measure';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const seconds = Number(arg('seconds') ?? 3);
const rounds = Number(arg('rounds') ?? 3);
const outstanding = 64;

interface Figures {
  rate: number;
  cpuUs: number;
}

async function closedLoop(send: (seq: number) => Promise<unknown>): Promise<Figures> {
  let done = 0;
  let running = true;
  const worker = async (): Promise<void> => {
    while (running) {
      await send(done);
      done++;
    }
  };
  const workers = Array.from({ length: outstanding }, worker);
  await new Promise((r) => setTimeout(r, 500));
  const cpu = process.cpuUsage();
  const at = done;
  const start = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const n = done - at;
  const elapsed = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  running = false;
  await Promise.all(workers);
  return { rate: n / elapsed, cpuUs: (used.user + used.system) / n };
}

function body(seq: number): Record<string, unknown> {
  return { dev: `d${seq % 100}`, temp: 25, ts: Date.now(), dev_upper: 'D0', temp_f: 77 };
}

async function main(): Promise<void> {
  const target = spawn(
    process.execPath,
    ['-r', '@swc-node/register', join(__dirname, 'e2e/http-target-process.ts')],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const url = await new Promise<string>((done) =>
    target.stdout.once('data', (chunk: Buffer) => done(chunk.toString().trim())),
  );
  const pool = new Pool(url, { connections: 8, pipelining: 1 });
  const connector = createConnector('http', { url });
  await connector.start();
  const action = connector.createAction({ method: 'POST', path: '/connector' });
  const bare = (seq: number): Promise<unknown> =>
    pool
      .request({
        path: '/bare',
        method: 'POST',
        body: JSON.stringify(body(seq)),
        headers: { 'content-type': 'application/json' },
      })
      .then((r) => r.body.text());
  const viaConnector = (seq: number): Promise<unknown> => {
    const data = body(seq);
    const record: DeliveryRecord = { id: `r${seq}`, data, json: JSON.stringify(data) };
    return action.send([record]).then(([outcome]) => {
      if (!outcome?.ok) throw new Error(`not delivered: ${JSON.stringify(outcome)}`);
    });
  };
  const results: { bare: Figures; connector: Figures }[] = [];
  try {
    for (let round = 0; round < rounds; round++) {
      const b = await closedLoop(bare);
      const c = await closedLoop(viaConnector);
      results.push({ bare: b, connector: c });
      console.log(
        `round ${round + 1}: bare ${fmt(b.rate)}/s ${fmt(b.cpuUs, 1)} µs; connector ${fmt(c.rate)}/s ` +
          `${fmt(c.cpuUs, 1)} µs; rate ${fmt(c.rate / b.rate, 2)}×, CPU ${fmt(c.cpuUs / b.cpuUs, 2)}×; load ${load1()}`,
      );
    }
  } finally {
    await connector.close();
    await pool.close();
    target.kill();
  }
  const median = (xs: number[]): number => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(
    `median: rate ${fmt(median(results.map((r) => r.connector.rate / r.bare.rate)), 2)}× bare, ` +
      `CPU per request ${fmt(median(results.map((r) => r.connector.cpuUs / r.bare.cpuUs)), 2)}× bare ` +
      `(bare ${fmt(median(results.map((r) => r.bare.cpuUs)), 1)} µs, connector ${fmt(median(results.map((r) => r.connector.cpuUs)), 1)} µs)`,
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
