/**
 * `npm run bench:rules`: compiled rules against hand-written JavaScript doing the same work on the
 * same messages, and the per-message cost of 10 versus 10,000 rules in the rules step as it runs
 * (RuleStage: batch decode, topic index, evaluation). Prints a Markdown report.
 * Figures from one run only compare with each other (docs/benchmarks.md says why: the machine is shared).
 */
import { execSync } from 'node:child_process';
import { cpus } from 'node:os';
import { createSubjects, defaultBusConfig, InProcessBus, type BusMessage } from '@sluice/bus';
import { RuleStage } from '@sluice/pipeline';
import { compileRule, type RuleContext } from '@sluice/rule-engine';
import { ingestBatchMessage, ingestEnvelope, quietLogger } from './support/rule-stage-input';

type Output = Record<string, unknown>;
type Runner = (ctx: RuleContext) => Output[] | undefined;

const MESSAGES = 4096;
const ROUNDS = 5;
const MIN_ROUND_MS = 300;

function messages(payload: (i: number) => unknown, topic: (i: number) => string): RuleContext[] {
  return Array.from({ length: MESSAGES }, (_, i) => ({
    id: `m${i}`,
    topic: topic(i),
    clientid: `dev-${i % 97}`,
    username: 'u',
    qos: 1,
    timestamp: 1_700_000_000_000 + i,
    payload: JSON.stringify(payload(i)),
  }));
}

const telemetry = messages(
  (i) => ({ dev: `d${i % 50}`, temp: 10 + (i % 40), hum: 30 + (i % 50), ok: true }),
  (i) => `sensors/d${i % 50}`,
);
const batches = messages(
  (i) => ({
    dev: `d${i % 50}`,
    readings: Array.from({ length: 10 }, (_, k) => ({ id: k, v: ((i + k) % 7) - 1 })),
  }),
  (i) => `sensors/d${i % 50}`,
);

function rule(sql: string): Runner {
  const compiled = compileRule(sql);
  return (ctx) => {
    const result = compiled.evaluate(ctx);
    if ('error' in result) throw result.error;
    return result.matched ? result.outputs : undefined;
  };
}

interface Shape {
  name: string;
  sql: string;
  input: RuleContext[];
  handWritten: Runner;
}

const shapes: Shape[] = [
  {
    name: 'filter on one payload field',
    sql: 'SELECT * FROM "sensors/+" WHERE payload.temp > 30',
    input: telemetry,
    handWritten: (ctx) => {
      const p = JSON.parse(ctx.payload as string) as { temp?: unknown };
      return typeof p.temp === 'number' && p.temp > 30 ? [{ ...ctx, event: 'message.publish' }] : undefined;
    },
  },
  {
    name: 'projection: five fields, two function calls',
    sql:
      'SELECT payload.dev AS dev, payload.temp AS temp, payload.hum AS hum, upper(clientid) AS client, ' +
      'round(payload.temp * 1.8 + 32) AS temp_f FROM "sensors/+"',
    input: telemetry,
    handWritten: (ctx) => {
      const p = JSON.parse(ctx.payload as string) as { dev: string; temp: number; hum: number };
      return [
        {
          dev: p.dev,
          temp: p.temp,
          hum: p.hum,
          client: (ctx.clientid as string).toUpperCase(),
          temp_f: Math.round(p.temp * 1.8 + 32),
        },
      ];
    },
  },
  {
    name: 'FOREACH over a 10-item array',
    sql: 'FOREACH payload.readings AS r DO r.id AS id, r.v AS v, clientid INCASE r.v > 0 FROM "sensors/+"',
    input: batches,
    handWritten: (ctx) => {
      const p = JSON.parse(ctx.payload as string) as { readings: { id: number; v: number }[] };
      const out: Output[] = [];
      for (const r of p.readings) if (r.v > 0) out.push({ id: r.id, v: r.v, clientid: ctx.clientid });
      return out;
    },
  },
];

/**
 * Evaluations per CPU second of `run` over `input`, one figure per round of at least MIN_ROUND_MS of
 * CPU. CPU time (not wall time) because the machine is shared and a busy neighbour stretches wall time.
 */
function throughput(run: Runner, input: RuleContext[], rounds = ROUNDS): number[] {
  const rates: number[] = [];
  let sink = 0;
  for (let round = 0; round < rounds; round++) {
    let count = 0;
    const start = process.cpuUsage();
    let cpuMs = 0;
    while (cpuMs < MIN_ROUND_MS) {
      for (const ctx of input) sink += run(ctx)?.length ?? 0;
      count += input.length;
      const used = process.cpuUsage(start);
      cpuMs = (used.user + used.system) / 1000;
    }
    rates.push((count / cpuMs) * 1000);
  }
  if (sink < 0) console.log(sink);
  return rates;
}

const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

function checkSameOutputs(shape: Shape, compiled: Runner): void {
  for (const ctx of shape.input.slice(0, 200)) {
    const a = JSON.stringify(compiled(ctx) ?? []);
    const b = JSON.stringify(shape.handWritten(ctx) ?? []);
    if (a !== b) throw new Error(`${shape.name}: outputs differ\n rule: ${a}\n hand: ${b}`);
  }
}

function shapesReport(): string[] {
  const lines = [
    '| rule shape | compiled rule (evals per CPU-second) | hand-written JS (evals per CPU-second) | ratio |',
    '| --- | ---: | ---: | ---: |',
  ];
  for (const shape of shapes) {
    const compiled = rule(shape.sql);
    checkSameOutputs(shape, compiled);
    // warm both up so that the first measured round is not the JIT's, then interleave them so that
    // both sides see the same machine state
    throughput(compiled, shape.input, 2);
    throughput(shape.handWritten, shape.input, 2);
    const ruleRates: number[] = [];
    const handRates: number[] = [];
    for (let i = 0; i < 2; i++) {
      ruleRates.push(...throughput(compiled, shape.input));
      handRates.push(...throughput(shape.handWritten, shape.input));
    }
    const [r, h] = [median(ruleRates), median(handRates)];
    lines.push(`| ${shape.name} | ${fmt(r)} | ${fmt(h)} | ${(r / h).toFixed(2)} |`);
  }
  return lines;
}

const BATCH = 256;

/** The scaling messages as INGEST batch messages, the way the rules step receives them. */
function ingestBatches(): { message: () => BusMessage; count: number }[] {
  const out: { message: () => BusMessage; count: number }[] = [];
  for (let start = 0; start < MESSAGES; start += BATCH) {
    const envelopes = Array.from({ length: Math.min(BATCH, MESSAGES - start) }, (_, k) => {
      const i = start + k;
      return ingestEnvelope('bench', `m${i}`, `site/${i % 10}/dev${i % 13}/temp`, { temp: 20 + (i % 20) });
    });
    out.push({ message: ingestBatchMessage(envelopes), count: envelopes.length });
  }
  return out;
}

/** CPU ns per message of RuleStage.handle with `ruleCount` rules (no actions), median of ROUNDS. */
async function stageCost(ruleCount: number): Promise<number> {
  const subjects = createSubjects('BENCH_');
  const bus = new InProcessBus(defaultBusConfig(), subjects);
  await bus.start();
  const stage = new RuleStage(bus, subjects, quietLogger);
  stage.loadTenant({
    id: 'bench',
    sources: [],
    connectors: [],
    rules: Array.from({ length: ruleCount }, (_, i) => ({
      id: `r${i}`,
      sql: `SELECT payload.temp AS t FROM "site/${i}/+/temp" WHERE payload.temp > 30`,
      enabled: true,
      actions: [],
    })),
  });
  const input = ingestBatches();
  const costs: number[] = [];
  for (let round = 0; round <= ROUNDS; round++) {
    let count = 0;
    const start = process.cpuUsage();
    let cpuMs = 0;
    while (cpuMs < MIN_ROUND_MS) {
      for (const batch of input) await stage.handle(batch.message());
      count += MESSAGES;
      const used = process.cpuUsage(start);
      cpuMs = (used.user + used.system) / 1000;
    }
    if (round > 0) costs.push((cpuMs * 1e6) / count); // round 0 warms up
  }
  await bus.close();
  return median(costs);
}

async function scalingReport(): Promise<string[]> {
  const samples: [number, number][] = [];
  for (let i = 0; i < 2; i++) samples.push([await stageCost(10), await stageCost(10_000)]);
  const ten = median(samples.map((s) => s[0]));
  const tenThousand = median(samples.map((s) => s[1]));
  return [
    '| rules of the tenant (distinct topic filters) | CPU ns per message in RuleStage (decode + match + evaluate the one matching rule) |',
    '| ---: | ---: |',
    `| 10 | ${fmt(ten)} |`,
    `| 10,000 | ${fmt(tenThousand)} |`,
    '',
    `10,000 rules cost ${(tenThousand / ten).toFixed(2)}× what 10 rules cost (goal: at most 1.5×; each shape's goal: at least 0.8× hand-written).`,
  ];
}

const command = 'npm run bench:rules';
async function main(): Promise<void> {
  const report = [
    `Machine: ${execSync('nproc').toString().trim()} cores (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}. Command: \`${command}\`.`,
    '',
    ...shapesReport(),
    '',
    ...(await scalingReport()),
  ];
  console.log(report.join('\n'));
}

void main();
