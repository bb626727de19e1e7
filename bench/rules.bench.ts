/**
 * `npm run bench:rules`: compiled rules against hand-written JavaScript doing the same work on the
 * same messages, and the per-message cost of 10 versus 10,000 rules. Prints a Markdown report.
 * Figures from one run only compare with each other (docs/benchmarks.md says why: the machine is shared).
 */
import { execSync } from 'node:child_process';
import { cpus } from 'node:os';
import { compileRule, RuleSet, type RuleContext } from '@sluice/rule-engine';

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

function scalingReport(): string[] {
  const input = messages(
    (i) => ({ temp: 20 + (i % 20) }),
    (i) => `site/${i % 10}/dev${i % 13}/temp`,
  );
  const cost = (ruleCount: number): number => {
    const set = new RuleSet();
    for (let i = 0; i < ruleCount; i++) {
      set.add(
        `r${i}`,
        compileRule(`SELECT payload.temp AS t FROM "site/${i}/+/temp" WHERE payload.temp > 30`),
      );
    }
    const run: Runner = (ctx) => (set.apply(ctx).length ? [] : undefined);
    const rates = throughput(run, input);
    return 1e9 / median(rates);
  };
  const samples: [number, number][] = [];
  for (let i = 0; i < 2; i++) samples.push([cost(10), cost(10_000)]);
  const ten = median(samples.map((s) => s[0]));
  const tenThousand = median(samples.map((s) => s[1]));
  return [
    '| rules in the set (distinct topic filters) | CPU ns per message (match + evaluate the one matching rule) |',
    '| ---: | ---: |',
    `| 10 | ${fmt(ten)} |`,
    `| 10,000 | ${fmt(tenThousand)} |`,
    '',
    `10,000 rules cost ${(tenThousand / ten).toFixed(2)}× what 10 rules cost (goal: at most 1.5×; each shape's goal: at least 0.8× hand-written).`,
  ];
}

const command = 'npm run bench:rules';
const report = [
  `Machine: ${execSync('nproc').toString().trim()} cores (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}. Command: \`${command}\`.`,
  '',
  ...shapesReport(),
  '',
  ...scalingReport(),
];
console.log(report.join('\n'));
