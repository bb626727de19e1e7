import { Pool } from 'undici';
import { LatencyTarget } from './latency-target';

/**
 * What one HTTP hop costs on this machine: undici with the HTTP connector's defaults (8
 * keep-alive connections, no pipelining) POSTing ~90-byte JSON bodies to the same kind of target,
 * 64 requests outstanding (the delivery service's default concurrency). Client and target share
 * this process, so the CPU figure covers both ends of the hop.
 */
export async function httpCeiling(requests: number): Promise<{ rate: number; cpuUsPerRequest: number }> {
  const target = await new LatencyTarget().start();
  const pool = new Pool(target.url, { connections: 8, pipelining: 1 });
  const body = JSON.stringify({ dev: 'd0', temp: 25, ts: Date.now(), dev_upper: 'D0', temp_f: 77 });
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < requests) {
      next++;
      const response = await pool.request({
        path: '/projection',
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json' },
      });
      await response.body.dump();
    }
  };
  const cpu = process.cpuUsage();
  const start = performance.now();
  try {
    await Promise.all(Array.from({ length: 64 }, worker));
  } finally {
    await pool.close();
    await target.close();
  }
  const used = process.cpuUsage(cpu);
  return {
    rate: requests / ((performance.now() - start) / 1000),
    cpuUsPerRequest: (used.user + used.system) / requests,
  };
}
