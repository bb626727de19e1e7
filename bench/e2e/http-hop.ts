/**
 * The bare HTTP hop of `npm run bench`, in a process of its own as the delivery service is:
 * `node -r @swc-node/register bench/e2e/http-hop.ts <target url> <warm-up s> <seconds>` POSTs the
 * projection rule's kind of body to `<target url>/hop` with the HTTP connector's defaults (undici
 * Pool, 8 keep-alive connections, no pipelining), 64 requests outstanding (the delivery service's
 * default concurrency), and prints one line of JSON: requests answered in the measured window, its
 * length, and this process's CPU in that window (the client's side only, as delivery's CPU is).
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
  nodeArgs: string[] = [],
): Promise<HopResult> {
  const child = spawn(
    process.execPath,
    [...nodeArgs, '-r', '@swc-node/register', __filename, url, String(warmupSeconds), String(seconds)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const code = await new Promise<number | null>((done) => child.once('exit', done));
  if (code !== 0) throw new Error(`the HTTP hop exited with ${code}`);
  return JSON.parse(out) as HopResult;
}

async function main(): Promise<void> {
  const [url, warmup, seconds] = process.argv.slice(2);
  if (!url || !warmup || !seconds) throw new Error('usage: http-hop.ts <url> <warm-up s> <seconds>');
  const pool = new Pool(url, { connections: 8, pipelining: 1 });
  let answered = 0;
  let running = true;
  const worker = async (): Promise<void> => {
    while (running) {
      const body = JSON.stringify({ dev: 'd0', temp: 25, ts: Date.now(), dev_upper: 'D0', temp_f: 77 });
      const response = await pool.request({
        path: '/hop',
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json' },
      });
      await response.body.text();
      answered++;
    }
  };
  const workers = Array.from({ length: 64 }, worker);
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
