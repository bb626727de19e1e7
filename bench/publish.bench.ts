/**
 * `node -r @swc-node/register bench/publish.bench.ts [requests]`: the HTTP publish API (the
 * PublishModule on a real port, SQLite keys, mosquitto on SLUICE_TEST_MQTT_URL) beside mqtt.js
 * publishing directly, in one run. HTTP: closed loop with 64 requests outstanding over keep-alive
 * connections, a tenant API key (hash + SQLite lookup per request). mqtt.js: one connection, at most
 * 1000 messages outstanding. ~50-byte JSON payloads. Prints a Markdown table; figures only compare
 * within one run (docs/benchmarks.md on noise). BENCH_AUTH=admin authenticates with the operator key
 * instead (no key lookup at all).
 */
import { randomBytes } from 'node:crypto';
import mqtt from 'mqtt';
import { Pool } from 'undici';
import { basicForKey, startPublishApp } from '../services/gateway/test/publish-test-app';

const REQUESTS = Number(process.argv[2] ?? 4_000);
const CONCURRENCY = 64;
const BULK = 50;
const MQTT_MESSAGES = 40_000;
const mqttUrl = process.env['SLUICE_TEST_MQTT_URL'] ?? 'mqtt://127.0.0.1:1883';
const payload = JSON.stringify({ dev: 'd1', temp: 21.5, hum: 40, ts: 1763771000 });
const prefix = `bench/${randomBytes(4).toString('hex')}/`;

interface Result {
  name: string;
  messages: number;
  ms: number;
  cpuUs: number;
  latenciesMs: number[];
}

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0
    ? NaN
    : sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
}

/** Runs `total` calls of `one`, `concurrency` at a time, timing each. */
async function closedLoop(total: number, concurrency: number, one: (i: number) => Promise<void>) {
  const latencies: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next < total) {
      const i = next++;
      const start = performance.now();
      await one(i);
      latencies.push(performance.now() - start);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return latencies;
}

async function measure(name: string, messages: number, run: () => Promise<number[]>): Promise<Result> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const latenciesMs = await run();
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return {
    name,
    messages,
    ms,
    cpuUs: used.user + used.system,
    latenciesMs: latenciesMs.sort((a, b) => a - b),
  };
}

async function main(): Promise<void> {
  const gw = await startPublishApp('bench-admin-key-0123456789abcdef', mqttUrl, {
    SLUICE_PUBLISH_RATE_LIMIT: 10_000_000,
    SLUICE_PUBLISH_POOL_SIZE: 2,
  });
  const tenant = await gw.tenants.create({ name: `bench-${prefix}`, plan: 'free' });
  const { key } = await gw.apiKeys.create(tenant.id, {
    name: 'bench',
    publishTopics: ['bench/#'],
    rateLimit: null,
  });
  const authorization =
    process.env['BENCH_AUTH'] === 'admin'
      ? `Basic ${Buffer.from('admin:bench-admin-key-0123456789abcdef').toString('base64')}`
      : basicForKey(key);
  const http = new Pool(gw.baseUrl, { connections: CONCURRENCY, pipelining: 1 });
  const post = async (path: string, body: unknown) => {
    const response = await http.request({
      path,
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
      body: JSON.stringify(body),
    });
    const text = await response.body.text();
    if (response.statusCode >= 300) throw new Error(`${path}: ${response.statusCode} ${text}`);
  };
  const results: Result[] = [];
  try {
    // warm-up: pool connections, JIT, SQLite page cache
    await closedLoop(500, CONCURRENCY, () =>
      post('/api/v5/publish', { topic: `${prefix}warm`, payload, qos: 1 }),
    );
    for (const qos of [0, 1] as const) {
      results.push(
        await measure(`HTTP POST /api/v5/publish, QoS ${qos}`, REQUESTS, () =>
          closedLoop(REQUESTS, CONCURRENCY, (i) =>
            post('/api/v5/publish', { topic: `${prefix}s/${i % 16}`, payload, qos }),
          ),
        ),
      );
    }
    const bulkRequests = Math.max(1, Math.floor(REQUESTS / 10));
    const items = Array.from({ length: BULK }, (_, i) => ({
      topic: `${prefix}b/${i % 16}`,
      payload,
      qos: 1,
    }));
    results.push(
      await measure(`HTTP POST /api/v5/publish/bulk, ${BULK} × QoS 1`, bulkRequests * BULK, () =>
        closedLoop(bulkRequests, CONCURRENCY, () => post('/api/v5/publish/bulk', items)),
      ),
    );
    const client = await mqtt.connectAsync(mqttUrl, { protocolVersion: 5 });
    (client.stream as unknown as { setNoDelay(on: boolean): void }).setNoDelay(true);
    for (const qos of [0, 1] as const) {
      results.push(
        await measure(`mqtt.js publishAsync directly, QoS ${qos}`, MQTT_MESSAGES, () =>
          closedLoop(MQTT_MESSAGES, 1_000, async (i) => {
            await client.publishAsync(`${prefix}m/${i % 16}`, payload, { qos });
          }),
        ),
      );
    }
    await client.endAsync();
  } finally {
    await http.close();
    await gw.close();
  }

  console.log(`\n${REQUESTS} single requests, ${CONCURRENCY} outstanding; Node ${process.version}\n`);
  console.log('| path | messages/s | requests/s | p50 ms | p99 ms | bench-process CPU µs per message |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const r of results) {
    const requests = r.latenciesMs.length;
    console.log(
      `| ${r.name} | ${Math.round((r.messages / r.ms) * 1000).toLocaleString('en-US')} | ${Math.round((requests / r.ms) * 1000).toLocaleString('en-US')} | ${percentile(r.latenciesMs, 50).toFixed(2)} | ${percentile(r.latenciesMs, 99).toFixed(2)} | ${(r.cpuUs / r.messages).toFixed(1)} |`,
    );
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
