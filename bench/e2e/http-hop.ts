/**
 * The bare HTTP hop of `npm run bench`, in a process of its own as the delivery service is:
 * `node -r @swc-node/register bench/e2e/http-hop.ts <target url> <warm-up s> <seconds>` POSTs the
 * projection rule's kind of body to `<target url>/hop` with the HTTP connector's defaults (undici
 * Pool, 8 keep-alive connections, no pipelining), 64 requests outstanding (the delivery service's
 * default concurrency), and prints one line of JSON: requests answered in the measured window, its
 * length, and this process's CPU in that window (the client's side only, as delivery's CPU is).
 * With a fourth argument `<rate>` it is paced instead (open loop in 5 ms slices, still at most 64
 * outstanding): CPU per request depends on the rate (each event-loop wake-up is shared by fewer
 * requests at a lower one), so delivery's CPU is compared with the hop's at Sluice's own rate.
 */
import { spawn } from 'node:child_process';
import { Pool } from 'undici';

export interface HopResult {
  requests: number;
  seconds: number;
  cpuUs: number;
}

/** Runs the hop in a child process against `url` (a running target) and returns what it measured. */
export async function httpHop(
  url: string,
  warmupSeconds: number,
  seconds: number,
  rate = 0,
): Promise<HopResult> {
  const child = spawn(
    process.execPath,
    ['-r', '@swc-node/register', __filename, url, String(warmupSeconds), String(seconds), String(rate)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const code = await new Promise<number | null>((done) => child.once('exit', done));
  if (code !== 0) throw new Error(`the HTTP hop exited with ${code}`);
  return JSON.parse(out) as HopResult;
}

async function main(): Promise<void> {
  const [url, warmup, seconds, paced] = process.argv.slice(2);
  const rate = Number(paced ?? 0);
  if (!url || !warmup || !seconds) throw new Error('usage: http-hop.ts <url> <warm-up s> <seconds>');
  const pool = new Pool(url, { connections: 8, pipelining: 1 });
  let answered = 0;
  let sent = 0;
  let running = true;
  const post = async (): Promise<void> => {
    sent++;
    const body = JSON.stringify({ dev: 'd0', temp: 25, ts: Date.now(), dev_upper: 'D0', temp_f: 77 });
    const response = await pool.request({
      path: '/hop',
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
    });
    await response.body.text();
    answered++;
  };
  const worker = async (): Promise<void> => {
    while (running) await post();
  };
  const pacer = async (): Promise<void> => {
    const start = performance.now();
    const inFlight = new Set<Promise<void>>();
    while (running) {
      const due = Math.floor(((performance.now() - start) / 1000) * rate);
      while (sent < due && inFlight.size < 64) {
        const p: Promise<void> = post().finally(() => inFlight.delete(p));
        inFlight.add(p);
      }
      await new Promise((done) => setTimeout(done, 5));
    }
    await Promise.all(inFlight);
  };
  const workers = rate > 0 ? [pacer()] : Array.from({ length: 64 }, worker);
  await new Promise((done) => setTimeout(done, Number(warmup) * 1000));
  const cpu = process.cpuUsage();
  const at = answered;
  const start = performance.now();
  await new Promise((done) => setTimeout(done, Number(seconds) * 1000));
  const result: HopResult = {
    requests: answered - at,
    seconds: (performance.now() - start) / 1000,
    cpuUs: ((used) => used.user + used.system)(process.cpuUsage(cpu)),
  };
  running = false;
  await Promise.all(workers);
  await pool.close();
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
