import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import {
  compareDelivery,
  connectPublisher,
  describeReport,
  eventually,
  freePort,
  HttpTarget,
  PrivateMosquitto,
  QosStream,
  SluiceProcess,
  sumMetric,
  testNamespace,
  writeFaultPipeline,
  type LossReport,
} from '../support';

// The embedded mode (one process, in-process bus on its log in SLUICE_DATA_DIR) under crashes,
// a graceful stop that cannot finish, a full disk and a corrupt log: every message acknowledged
// to the publisher reaches the HTTP target, duplicates are counted.
describe('fault: embedded mode keeps what it acknowledged', () => {
  const ns = testNamespace();
  const broker = new PrivateMosquitto();
  const target = new HttpTarget();
  let pipelineFile: string;
  const started: SluiceProcess[] = [];
  const publishers: MqttClient[] = [];
  const adminKey = randomBytes(24).toString('hex');

  const received = (run: string): string[] =>
    target
      .jsonBodies()
      .map((b) => String(b['id']))
      .filter((id) => id.startsWith(`${run}-`));

  /** One embedded process; `mqttUrl` unset means its own broker on `mqttPort`. */
  const embedded = async (dataDir: string, extra: Record<string, string> = {}): Promise<SluiceProcess> => {
    const process = new SluiceProcess('all', {
      SLUICE_PIPELINE_FILE: pipelineFile,
      SLUICE_HTTP_PORT: String(await freePort()),
      SLUICE_DATA_DIR: dataDir,
      SLUICE_ADMIN_KEY: adminKey,
      SLUICE_INGEST_CLIENT_ID_PREFIX: `e-${ns.id}`,
      SLUICE_NATS_URL: 'nats://127.0.0.1:1',
      SLUICE_BUS_ACK_WAIT_MS: '3000',
      SLUICE_DELIVERY_BACKOFF_MS: '50',
      SLUICE_DELIVERY_MAX_BACKOFF_MS: '1000',
      // why: a target down for half a minute must not send its messages to the DLQ
      SLUICE_DELIVERY_MAX_ATTEMPTS: '100000',
      SLUICE_DELIVERY_SEND_TIMEOUT_MS: '2000',
      ...extra,
    });
    started.push(process);
    return process;
  };

  const settle = async (
    stream: QosStream,
    run: string,
    output: () => string,
    timeoutMs = 90_000,
  ): Promise<LossReport> => {
    await eventually(() => expect(compareDelivery(stream, received(run)).missing).toEqual([]), {
      timeoutMs,
      intervalMs: 250,
    }).catch((error: Error) => {
      throw new Error(
        `${error.message}\n${describeReport(run, compareDelivery(stream, received(run)))}\n${output()}`,
      );
    });
    return compareDelivery(stream, received(run));
  };

  beforeAll(async () => {
    await Promise.all([broker.start(), target.start()]);
    pipelineFile = writeFaultPipeline(
      ns,
      [{ id: 'webhook', kind: 'http', config: { url: target.url } }],
      [
        {
          id: 'ids',
          sql: `SELECT payload.id AS id FROM "${ns.topicPrefix}#" WHERE topic <> '${ns.topicPrefix}flat'`,
          actions: [{ id: 'post', connector: 'webhook', config: { method: 'POST' } }],
        },
        {
          // why its own rule: the memory scenario's action requests carry its 3 KB payloads
          id: 'whole',
          sql: `SELECT payload.id AS id, payload.pad AS pad FROM "${ns.topicPrefix}flat"`,
          actions: [{ id: 'post', connector: 'webhook', config: { method: 'POST' } }],
        },
      ],
    );
  });

  afterEach(async () => {
    target.status = 200;
    target.silent = false;
    // why: a process left running stays in the share group of the Mosquitto scenarios (same pipeline
    // and client id prefix) and would take part of the next scenario's messages into its own log
    for (const p of started.splice(0)) await p.stop('SIGKILL');
  });

  afterAll(async () => {
    for (const p of publishers) await p.endAsync(true).catch(() => undefined);
    await target.close();
    await broker.cleanup();
  });

  const dataDir = () => mkdtempSync(join(tmpdir(), `sluice-durable-${ns.id}-`));
  const publisher = async (url: string, name: string) => {
    const client = await connectPublisher(url, `pub-${ns.id}-${name}`);
    publishers.push(client);
    return client;
  };

  it('loses nothing when the process is killed with SIGKILL mid-stream at 2,000 msg/s and restarted', async () => {
    const dir = dataDir();
    let sluice = await (await embedded(dir, { SLUICE_MQTT_URL: broker.url })).start().ready();
    const client = await publisher(broker.url, 'kill');
    const run = 'kill';
    const count = 8_000;
    const stream = new QosStream(() => client, `${ns.topicPrefix}kill`, run);
    const startedAt = performance.now();
    const streaming = stream.publish(count, 500, 240_000);
    // mid-stream: the publisher is a third of the way through and the target has started getting them
    await eventually(
      () => {
        expect(stream.published).toBeGreaterThan(count / 3);
        expect(received(run).length).toBeGreaterThan(0);
      },
      { timeoutMs: 30_000, intervalMs: 20 },
    );
    await sluice.stop('SIGKILL');
    const arrivedAtKill = received(run).length;
    const published = stream.published;
    sluice = await (await embedded(dir, { SLUICE_MQTT_URL: broker.url })).start().ready();
    await streaming;
    const seconds = (performance.now() - startedAt) / 1000;
    const report = await settle(stream, run, () => sluice.output.slice(-3000));
    console.log(
      describeReport(
        'embedded SIGKILL mid-stream',
        report,
        `killed after ${arrivedAtKill} arrived and ${published} published; all ${count} published in ${seconds.toFixed(1)} s`,
      ),
    );
    expect(report.unexpected).toEqual([]);
    expect(new Set(received(run)).size).toBe(count);
    expect(arrivedAtKill).toBeLessThan(published);
    expect(published).toBeLessThan(count);
  });

  it('loses nothing when thousands wait 30 s for a target that is down, the process is killed, restarted, and the target comes back', async () => {
    const dir = dataDir();
    target.status = 503;
    const downSince = Date.now();
    let sluice = await (await embedded(dir, { SLUICE_MQTT_URL: broker.url })).start().ready();
    const client = await publisher(broker.url, 'down');
    const run = 'down';
    const count = 3_000;
    const stream = new QosStream(() => client, `${ns.topicPrefix}down`, run);
    await stream.publish(count, 1_000);
    // 3,000 acknowledged wait: over a thousand passed the rule into the ACTIONS log, the rest in INGEST
    const passed = async () =>
      sumMetric(
        await (
          await fetch(`http://127.0.0.1:${sluice.port}/metrics`, {
            headers: { authorization: `Bearer ${adminKey}` },
          })
        ).text(),
        'sluice_rule_passed_total',
      );
    await eventually(async () => expect(await passed()).toBeGreaterThanOrEqual(1_000), { timeoutMs: 30_000 });
    await eventually(() => expect(Date.now() - downSince).toBeGreaterThanOrEqual(30_000), {
      timeoutMs: 40_000,
      intervalMs: 500,
    });
    const waiting = await passed();
    expect(received(run)).toEqual([]);
    await sluice.stop('SIGKILL');
    sluice = await (await embedded(dir, { SLUICE_MQTT_URL: broker.url })).start().ready();
    target.status = 200;
    const report = await settle(stream, run, () => sluice.output.slice(-3000));
    console.log(
      describeReport('embedded: target down 30 s, SIGKILL, restart', report, `${waiting} waited in ACTIONS`),
    );
    expect(report.unexpected).toEqual([]);
    expect(new Set(received(run)).size).toBe(count);
  });

  it('on SIGTERM with a target that never answers, stops its broker first, exits within its shutdown timeout, and delivers every acknowledged message after the restart', async () => {
    const dir = dataDir();
    const mqttPort = await freePort();
    const env = { SLUICE_EMBEDDED_MQTT_PORT: String(mqttPort), SLUICE_SHUTDOWN_TIMEOUT_MS: '4000' };
    target.silent = true;
    let sluice = await (await embedded(dir, env)).start().ready();
    const client = await publisher(`mqtt://127.0.0.1:${mqttPort}`, 'term');
    const run = 'term';
    const count = 3_000;
    const stream = new QosStream(() => client, `${ns.topicPrefix}term`, run);
    const streaming = stream.publish(count, 500, 240_000);
    await eventually(() => expect(stream.acked.size).toBeGreaterThan(1_000), { timeoutMs: 30_000 });
    const termAt = performance.now();
    const exitCode = await sluice.stop('SIGTERM', 30_000);
    const exitMs = performance.now() - termAt;
    const ackedAtExit = stream.acked.size;
    expect(sluice.output).toMatch(/embedded MQTT broker: no longer accepting/);
    expect(sluice.output).toMatch(/shutdown timeout of 4000 ms \(SLUICE_SHUTDOWN_TIMEOUT_MS\) reached/);
    expect(exitCode).toBe(1);
    // the bound, plus the time the process takes to exit once it decided to
    expect(exitMs).toBeLessThan(4_000 + 1_500);
    target.silent = false;
    sluice = await (await embedded(dir, env)).start().ready();
    await streaming;
    const report = await settle(stream, run, () => sluice.output.slice(-3000));
    console.log(
      describeReport(
        'embedded SIGTERM, target never answers',
        report,
        `exit after ${exitMs.toFixed(0)} ms with ${ackedAtExit} acknowledged`,
      ),
    );
    expect(report.unexpected).toEqual([]);
    expect(new Set(received(run)).size).toBe(count);
  });

  it('loses nothing the embedded broker acknowledged when killed again and again while publishes pour in', async () => {
    // The embedded broker (aedes) used to PUBACK a QoS 1 publish before ingest stored it; now its
    // intake stores it first. Each kill comes right after 300 more acknowledgements, while
    // the publisher's backlog from the last outage is still pouring in: the moment a gap would show.
    const dir = dataDir();
    const mqttPort = await freePort();
    const env = { SLUICE_EMBEDDED_MQTT_PORT: String(mqttPort) };
    let sluice = await (await embedded(dir, env)).start().ready();
    const client = await publisher(`mqtt://127.0.0.1:${mqttPort}`, 'kills');
    const run = 'kills';
    const count = 2_000;
    const kills = 3;
    const stream = new QosStream(() => client, `${ns.topicPrefix}kills`, run);
    const streaming = stream.publish(count, 500, 240_000);
    const ackedAtKill: number[] = [];
    for (let kill = 0; kill < kills; kill += 1) {
      const from = stream.acked.size;
      await eventually(() => expect(stream.acked.size).toBeGreaterThanOrEqual(from + 300), {
        timeoutMs: 60_000,
        intervalMs: 5,
      });
      await sluice.stop('SIGKILL');
      ackedAtKill.push(stream.acked.size);
      sluice = await (await embedded(dir, env)).start().ready();
    }
    await streaming;
    const report = await settle(stream, run, () => sluice.output.slice(-3000));
    console.log(
      describeReport(
        `embedded broker, ${kills} SIGKILLs mid-stream`,
        report,
        `acknowledged at each kill: ${ackedAtKill.join(', ')}`,
      ),
    );
    expect(report.unexpected).toEqual([]);
    expect(report.missing).toEqual([]);
    expect(new Set(received(run)).size).toBe(count);
    expect(ackedAtKill[kills - 1]).toBeLessThan(count);
  }, 300_000);

  it('keeps memory flat while a target is down for 100 s at a steady rate (the backlog is on disk), then delivers it', async () => {
    // 200 msg/s of 3 KB for 100 s: a 60 MB backlog of action requests. Kept in the heap, it would
    // grow it by ~40 MB between the first samples (a third in) and the end; on disk, only the
    // index grows.
    const dir = dataDir();
    target.status = 503;
    const sluice = await (await embedded(dir, { SLUICE_MQTT_URL: broker.url })).start().ready();
    const client = await publisher(broker.url, 'flat');
    const run = 'flat';
    const rate = 200;
    const seconds = 100;
    const count = rate * seconds;
    const pad = 'x'.repeat(3_000);
    const stream = new QosStream(
      () => client,
      `${ns.topicPrefix}flat`,
      run,
      (id) => JSON.stringify({ id, pad }),
    );
    const memory = async () => {
      const text = await (
        await fetch(`http://127.0.0.1:${sluice.port}/metrics`, {
          headers: { authorization: `Bearer ${adminKey}` },
        })
      ).text();
      return {
        heap: sumMetric(text, 'nodejs_heap_size_used_bytes'),
        rss: sumMetric(text, 'process_resident_memory_bytes'),
      };
    };
    const samples: { at: number; heap: number; rss: number }[] = [];
    const startedAt = performance.now();
    const streaming = stream.publish(count, rate, 300_000);
    const sampling = (async () => {
      while (stream.acked.size < count) {
        // why a period: memory is sampled every 5 s over the ~100 s stream, not waited on
        await new Promise((done) => setTimeout(done, 5_000));
        samples.push({ at: stream.acked.size, ...(await memory()) });
      }
    })();
    await streaming;
    await sampling;
    const busFiles = ['bus.db', 'bus.db-wal'].map((f) => join(dir, f)).filter((f) => existsSync(f));
    const onDisk = busFiles.reduce((sum, f) => sum + statSync(f).size, 0);
    expect(received(run)).toEqual([]);
    const MiB = 1024 * 1024;
    const early = samples.filter((s) => s.at >= count / 3 && s.at < count / 2);
    const late = samples.filter((s) => s.at >= (count * 5) / 6);
    const minOf = (list: typeof samples, key: 'heap' | 'rss') => Math.min(...list.map((s) => s[key]));
    const maxOf = (list: typeof samples, key: 'heap' | 'rss') => Math.max(...list.map((s) => s[key]));
    const heapGrowth = maxOf(late, 'heap') - minOf(early, 'heap');
    const rssGrowth = maxOf(late, 'rss') - minOf(early, 'rss');
    const outage = ((performance.now() - startedAt) / 1000).toFixed(0);
    target.status = 200;
    // why longer: 20,000 requests of 3 KB wait; on a loaded machine they take minutes to post
    const report = await settle(stream, run, () => sluice.output.slice(-3000), 240_000);
    console.log(
      describeReport(
        'embedded: target down, memory',
        report,
        `${count} waited ${outage} s; bus log ${(onDisk / MiB).toFixed(0)} MiB; heap ` +
          `${(minOf(early, 'heap') / MiB).toFixed(0)} -> ${(maxOf(late, 'heap') / MiB).toFixed(0)} MiB, RSS ` +
          `${(minOf(early, 'rss') / MiB).toFixed(0)} -> ${(maxOf(late, 'rss') / MiB).toFixed(0)} MiB`,
      ),
    );
    expect(early.length).toBeGreaterThan(0);
    expect(late.length).toBeGreaterThan(0);
    // the backlog is there, on disk
    expect(onDisk).toBeGreaterThan(count * pad.length * 0.5);
    expect(heapGrowth).toBeLessThan(32 * MiB);
    expect(rssGrowth).toBeLessThan(64 * MiB);
    expect(report.unexpected).toEqual([]);
    expect(new Set(received(run)).size).toBe(count);
  }, 480_000);

  it('refuses to start on a corrupt bus log with one line naming the file', async () => {
    const dir = dataDir();
    writeFileSync(join(dir, 'bus.db'), Buffer.alloc(64 * 1024, 0x5a));
    const sluice = (await embedded(dir, { SLUICE_MQTT_URL: broker.url })).start();
    await eventually(() => expect(sluice.exitCode).not.toBeUndefined(), { timeoutMs: 30_000 });
    expect(sluice.exitCode).not.toBe(0);
    expect(sluice.output).toContain(`cannot open the bus log ${join(dir, 'bus.db')}`);
    expect(sluice.output).toMatch(/file is not a database/);
  });

  // why root: a size-limited data directory is a tmpfs mount
  const canMount = process.getuid?.() === 0;
  it.skipIf(!canMount)(
    'on a full disk says so, stops acknowledging the broker, and delivers everything once there is room',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), `sluice-fulldisk-${ns.id}-`));
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=24m', 'tmpfs', dir]);
      try {
        const data = join(dir, 'data');
        mkdirSync(data);
        const sluice = await (await embedded(data, { SLUICE_MQTT_URL: broker.url })).start().ready();
        // leave almost no room, then stream
        const filler = join(dir, 'filler');
        execFileSync('sh', ['-c', `dd if=/dev/zero of=${filler} bs=64k 2>/dev/null || true`]);
        const client = await publisher(broker.url, 'full');
        const run = 'full';
        const count = 2_000;
        const stream = new QosStream(
          () => client,
          `${ns.topicPrefix}full`,
          run,
          (id) => JSON.stringify({ id, pad: 'x'.repeat(400) }),
        );
        await stream.publish(count, 1_000);
        await eventually(() => expect(sluice.output).toMatch(/the disk holding the bus log .* is full/), {
          timeoutMs: 30_000,
        });
        const ready = await fetch(`http://127.0.0.1:${sluice.port}/health/ready`);
        expect(ready.status).toBe(503);
        // distinct ids: a message stored again while the disk was full may already have arrived twice.
        // Not asserted below count: deliveries free room as they go, so on a quiet machine all 2,000
        // got through between refusals (a clean run failed on `expected 2000 to be less than 2000`);
        // the refusal itself is the log line above and the 503.
        const whileFull = new Set(received(run)).size;
        rmSync(filler);
        const report = await settle(stream, run, () => sluice.output.slice(-3000));
        console.log(
          describeReport('embedded full disk', report, `${whileFull} arrived while the disk was full`),
        );
        expect(report.unexpected).toEqual([]);
        expect(new Set(received(run)).size).toBe(count);
        await sluice.stop('SIGTERM');
      } finally {
        execFileSync('umount', ['-l', dir]);
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
