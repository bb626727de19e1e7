/**
 * `npm run bench:rule-tap`: what the live rule trace hook costs the rule stage. The same batches of
 * ingested messages go through RuleStage.handle without RuleTaps, with RuleTaps and no tap active,
 * with another rule tapped, and with this rule tapped (20 events a second, the rest skipped);
 * rounds alternate the variants so load changes hit them alike, and each is timed in CPU time.
 * Prints a Markdown table.
 */
import { cpus, loadavg } from 'node:os';
import { createSubjects, defaultBusConfig, InProcessBus } from '@sluice/bus';
import { RuleStage, RuleTaps } from '@sluice/pipeline';
import { ingestBatchMessage, ingestEnvelope, quietLogger as quiet } from './support/rule-stage-input';

const BATCH = 256;
const BATCHES = 16;
const ROUNDS = 13;
const MIN_ROUND_MS = 400;

const batches = Array.from({ length: BATCHES }, (_, b) =>
  ingestBatchMessage(
    Array.from({ length: BATCH }, (_, k) => {
      const i = b * BATCH + k;
      return ingestEnvelope('acme', `m${i}`, `sensors/d${i % 50}`, { temp: 10 + (i % 40), hum: 40 });
    }),
  ),
);

async function main(): Promise<void> {
  const subjects = createSubjects('BENCH_');
  const bus = new InProcessBus(defaultBusConfig(), subjects);
  await bus.start();
  const tenant = {
    id: 'acme',
    sources: [],
    connectors: [],
    rules: [
      {
        id: 'hot',
        sql: 'SELECT payload.temp AS t FROM "sensors/#" WHERE payload.temp > 30',
        enabled: true,
        actions: [],
      },
    ],
  };
  const tapsOf = (tapped?: string) => {
    const taps = new RuleTaps(bus, subjects, quiet, { node: 'bench' });
    if (tapped) taps.request({ tenant: 'acme', ruleId: tapped, ttlMs: 3_600_000 });
    return taps;
  };
  const variants: [string, RuleStage][] = [
    ['no RuleTaps (before)', new RuleStage(bus, subjects, quiet)],
    ['RuleTaps, no tap active', new RuleStage(bus, subjects, quiet, undefined, tapsOf())],
    ['RuleTaps, another rule tapped', new RuleStage(bus, subjects, quiet, undefined, tapsOf('other'))],
    [
      'this rule tapped (20/s sent, rest skipped)',
      new RuleStage(bus, subjects, quiet, undefined, tapsOf('hot')),
    ],
  ];
  for (const [, stage] of variants) stage.loadTenant(tenant);
  const results = new Map<string, number[]>(variants.map(([name]) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    // why rotated: whichever runs first in a round pays for the garbage of the one before
    const order = variants.map((_, i) => variants[(i + round) % variants.length]!);
    for (const [name, stage] of order) {
      let messages = 0;
      // why CPU time: the machine is shared, and wall time mostly measures the neighbours
      const start = process.cpuUsage();
      let elapsed = 0;
      while (elapsed < MIN_ROUND_MS) {
        for (const message of batches) await stage.handle(message());
        messages += BATCH * BATCHES;
        const used = process.cpuUsage(start);
        elapsed = (used.user + used.system) / 1e3;
      }
      if (round > 0) results.get(name)!.push((elapsed * 1e6) / messages); // round 0 warms up
    }
  }
  await bus.close();
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const base = median(results.get(variants[0]![0])!);
  console.log(
    `Run of ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${cpus()[0]?.model ?? '?'} ` +
      `(${cpus().length} cores), load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}, Node ${process.version}.`,
  );
  console.log(
    `Median of ${ROUNDS - 1} rounds of at least ${MIN_ROUND_MS} ms CPU time each, ${BATCH}-message batches, ` +
      'one rule matching every message (about half pass WHERE), no actions.\n',
  );
  console.log('| variant | CPU ns per message | vs before |');
  console.log('| --- | ---: | ---: |');
  for (const [name, times] of results) {
    const ns = median(times);
    console.log(`| ${name} | ${ns.toFixed(0)} | ${((ns / base - 1) * 100).toFixed(1)}% |`);
  }
}

void main();
