/**
 * `node -r @swc-node/register bench/nats-client.bench.ts [messages] [rounds]`: the NATS client
 * lines side by side, in one run on a nats-server the bench starts itself (JetStream, a free port):
 * `nats` 2.x (what the bus runs on) and the NATS team's current modular 3.x
 * (`@nats-io/transport-node`, `@nats-io/jetstream`). The same three things the bus does, with each
 * client: core publish -> subscribe, JetStream publish with a message id (256 in flight), and a
 * durable pull consumer that acknowledges each message (`ack()`, and `ackAck()` as the bus does).
 * A first round warms both up uncounted, then rounds alternate which client goes first; the table gives medians of client CPU µs per message (this
 * process) and nats-server's, and the ratio v3 / v2. docs/adr/0010-nats-client-line.md has the result.
 */
import { connect as connectV2, AckPolicy as AckPolicyV2 } from 'nats';
import { connect as connectV3 } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, AckPolicy as AckPolicyV3 } from '@nats-io/jetstream';
import { BrokerProcess } from './flow/brokers';

const N = Number(process.argv[2] ?? 30_000);
const ROUNDS = Number(process.argv[3] ?? 3);
const OUTSTANDING = 1_000;
const LANES = 256;
const payload = new TextEncoder().encode(JSON.stringify({ dev: 'd1', temp: 21.5, hum: 40, ts: 1763771000 }));

/** What each client line does for the bench; both lines have the same shape of API. */
interface Line {
  name: 'v2' | 'v3';
  core(subject: string): Promise<void>;
  publish(subject: string, tag: string): Promise<void>;
  consume(stream: string, durable: string, confirm: boolean): Promise<void>;
  close(): Promise<void>;
}

/** The parts of a client line the bench drives: both lines have this shape, under their own types. */
interface ClientParts {
  nc: {
    subscribe(subject: string, opts: { callback: () => void }): { unsubscribe(): void };
    publish(subject: string, data: Uint8Array): void;
    flush(): Promise<void>;
    close(): Promise<void>;
  };
  js: {
    publish(subject: string, data: Uint8Array, opts: { msgID: string }): Promise<unknown>;
    consumers: {
      get(
        stream: string,
        durable: string,
      ): Promise<{ consume(opts: { max_messages: number }): Promise<Messages> }>;
    };
  };
  addConsumer(stream: string, durable: string): Promise<unknown>;
}
type Messages = AsyncIterable<{ ack(): void; ackAck(): Promise<boolean> }> & { stop(): void };

function line(name: Line['name'], { nc, js, addConsumer }: ClientParts): Line {
  return {
    name,
    core: (subject) =>
      coreLoop(
        (cb) => nc.subscribe(subject, { callback: cb }),
        () => nc.publish(subject, payload),
        () => nc.flush(),
      ),
    publish: async (subject, tag) => {
      let next = 0;
      await Promise.all(
        Array.from({ length: LANES }, async () => {
          while (next < N) await js.publish(subject, payload, { msgID: `${tag}${next++}` });
        }),
      );
    },
    consume: async (stream, durable, confirm) => {
      await addConsumer(stream, durable);
      const consumer = await js.consumers.get(stream, durable);
      const messages = await consumer.consume({ max_messages: OUTSTANDING });
      let got = 0;
      for await (const m of messages) {
        if (confirm) await m.ackAck();
        else m.ack();
        if (++got === N) break;
      }
      messages.stop();
    },
    close: () => nc.close(),
  };
}

const consumerConfig = (durable: string) => ({ durable_name: durable, max_ack_pending: OUTSTANDING });

async function v2(url: string): Promise<Line> {
  const nc = await connectV2({ servers: url, noAsyncTraces: true });
  const jsm = await nc.jetstreamManager();
  return line('v2', {
    nc,
    js: nc.jetstream(),
    addConsumer: (stream, durable) =>
      jsm.consumers.add(stream, { ...consumerConfig(durable), ack_policy: AckPolicyV2.Explicit }),
  });
}

async function v3(url: string): Promise<Line> {
  const nc = await connectV3({ servers: url, noAsyncTraces: true });
  const jsm = await jetstreamManager(nc);
  return line('v3', {
    nc,
    js: jetstream(nc),
    addConsumer: (stream, durable) =>
      jsm.consumers.add(stream, { ...consumerConfig(durable), ack_policy: AckPolicyV3.Explicit }),
  });
}

/** Core publish -> subscribe, closed loop with at most OUTSTANDING in flight. */
async function coreLoop(
  subscribe: (callback: () => void) => { unsubscribe(): void },
  publish: () => void,
  flush: () => Promise<void>,
): Promise<void> {
  let received = 0;
  let waiting: (() => void) | undefined;
  let done!: () => void;
  const all = new Promise<void>((resolve) => (done = resolve));
  const sub = subscribe(() => {
    received++;
    waiting?.();
    if (received === N) done();
  });
  await flush();
  for (let sent = 0; sent < N; sent++) {
    while (sent - received >= OUTSTANDING) await new Promise<void>((resolve) => (waiting = resolve));
    publish();
  }
  await all;
  sub.unsubscribe();
}

interface Sample {
  clientUs: number;
  serverUs: number;
  rate: number;
}

async function measure(server: BrokerProcess, run: () => Promise<void>): Promise<Sample> {
  const serverBefore = server.cpu();
  const cpu = process.cpuUsage();
  const start = performance.now();
  await run();
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  return {
    clientUs: (used.user + used.system) / N,
    serverUs: ((server.cpu() - serverBefore) * 1e6) / N,
    rate: N / seconds,
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
  const server = await BrokerProcess.natsServer();
  const setup = await connectV2({ servers: server.url });
  const jsm = await setup.jetstreamManager();
  const scenarios = [
    'core publish -> subscribe',
    'JetStream publish, msg id, 256 in flight',
    'pull consume, ack()',
    'pull consume, ackAck()',
  ] as const;
  const samples = new Map<string, Sample[]>();
  try {
    // round -1 warms both clients' code up and is not counted
    for (let round = -1; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? [v2, v3] : [v3, v2];
      for (const make of order) {
        const line = await make(server.url);
        const stream = `BENCH_${line.name}_${round + 1}`;
        await jsm.streams.add({ name: stream, subjects: [`${stream}.>`] });
        const record = (scenario: string, sample: Sample) => {
          if (round < 0) return;
          const key = `${scenario}\u0000${line.name}`;
          samples.set(key, [...(samples.get(key) ?? []), sample]);
        };
        record(scenarios[0], await measure(server, () => line.core(`${stream}_core`)));
        record(scenarios[1], await measure(server, () => line.publish(`${stream}.a`, 'a')));
        // each consumer is new and reads the stream from its start: the N messages just published
        record(scenarios[2], await measure(server, () => line.consume(stream, 'plain', false)));
        await jsm.consumers.delete(stream, 'plain');
        record(scenarios[3], await measure(server, () => line.consume(stream, 'confirmed', true)));
        await line.close();
        await jsm.streams.delete(stream);
      }
      console.error(round < 0 ? 'warm-up round done' : `round ${round + 1} of ${ROUNDS} done`);
    }
  } finally {
    await setup.close();
    await server.stop();
  }
  console.log(
    `\n${N.toLocaleString('en')} messages of ${payload.length} bytes per scenario, medians of ${ROUNDS} rounds (clients alternating), nats-server started by the bench\n`,
  );
  console.log(
    '| path | v2 msg/s | v3 msg/s | v2 client µs/msg | v3 client µs/msg | v3 ÷ v2 client | v2 server µs/msg | v3 server µs/msg |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const scenario of scenarios) {
    const a = samples.get(`${scenario}\u0000v2`)!;
    const b = samples.get(`${scenario}\u0000v3`)!;
    const m = (s: Sample[], f: (x: Sample) => number) => median(s.map(f));
    console.log(
      `| ${scenario} | ${Math.round(m(a, (x) => x.rate)).toLocaleString('en')} | ${Math.round(m(b, (x) => x.rate)).toLocaleString('en')} | ${m(a, (x) => x.clientUs).toFixed(1)} | ${m(b, (x) => x.clientUs).toFixed(1)} | ${(m(b, (x) => x.clientUs) / m(a, (x) => x.clientUs)).toFixed(2)} | ${m(a, (x) => x.serverUs).toFixed(1)} | ${m(b, (x) => x.serverUs).toFixed(1)} |`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
