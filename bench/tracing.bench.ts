/**
 * `node -r @swc-node/register bench/tracing.bench.ts`: the per-message CPU cost of Sluice's
 * tracing, for the span work of the three stages (ingest, one rule, one delivery attempt: start,
 * attributes when recording, context into a string map and back, end), with tracing off (no SDK),
 * with the SDK on and every message sampled out, at a 1% ratio, and with every message recorded
 * (exported to a no-op exporter). The stage code is mirrored here so no bus or broker is involved.
 * Figures from one run only compare with each other (see docs/benchmarks.md on noise).
 */
import { ExportResultCode } from '@opentelemetry/core';
import { BatchSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import {
  endSpan,
  extractFromUserProperties,
  extractTraceContext,
  initTracing,
  shutdownTracing,
  spanCarrier,
  SpanKind,
  startSpan,
  withSpan,
  type TraceCarrier,
} from '@sluice/telemetry';

const MESSAGES = 20_000;
const ROUNDS = 9;

/** One message's span work in ingest, rules and delivery, as the stages do it. */
function oneMessage(i: number, userProperties: [string, string][]): TraceCarrier {
  const topic = `sensors/d${i % 50}`;
  const ingest = startSpan(`ingest ${topic}`, SpanKind.CONSUMER, extractFromUserProperties(userProperties));
  if (ingest.isRecording()) {
    ingest.setAttributes({
      'messaging.system': 'mqtt',
      'messaging.destination.name': topic,
      'messaging.message.id': `m${i}`,
      'sluice.tenant': 'acme',
      'sluice.source': 'devices',
      'sluice.qos': 1,
    });
  }
  const envelopeTrace = spanCarrier(ingest);
  endSpan(ingest);

  const rule = startSpan('rule r1', SpanKind.INTERNAL, extractTraceContext(envelopeTrace));
  const actionTrace = spanCarrier(rule);
  if (rule.isRecording()) {
    rule.setAttributes({
      'sluice.tenant': 'acme',
      'sluice.rule.id': 'r1',
      'sluice.rule.matched': true,
      'sluice.rule.passed': true,
      'sluice.rule.outputs': 1,
      'messaging.message.id': `m${i}`,
    });
  }
  endSpan(rule);

  const deliver = startSpan('deliver hook', SpanKind.PRODUCER, extractTraceContext(actionTrace));
  const headers = withSpan(deliver, () => spanCarrier(deliver));
  if (deliver.isRecording()) {
    deliver.setAttributes({
      'sluice.tenant': 'acme',
      'sluice.rule.id': 'r1',
      'sluice.action.id': 'post',
      'sluice.connector.id': 'hook',
      'sluice.delivery.attempt': 1,
      'sluice.delivery.outcome': 'OK',
      'messaging.message.id': `m${i}:r1:0:post`,
    });
  }
  endSpan(deliver);
  return headers;
}

const noopExporter: SpanExporter = {
  export: (_spans: ReadableSpan[], done) => done({ code: ExportResultCode.SUCCESS }),
  shutdown: async () => {},
};

interface Mode {
  name: string;
  env: Record<string, string>;
  processors?: () => BatchSpanProcessor[];
}

const modes: Mode[] = [
  { name: 'off (no SDK, OTEL_TRACES_EXPORTER unset)', env: {} },
  {
    name: 'SDK on, sampled out (always_off)',
    env: { OTEL_TRACES_SAMPLER: 'always_off' },
    processors: () => [new BatchSpanProcessor(noopExporter)],
  },
  {
    name: 'SDK on, 1% sampled (parentbased_traceidratio 0.01)',
    env: { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.01' },
    processors: () => [new BatchSpanProcessor(noopExporter, { maxQueueSize: 65_536 })],
  },
  {
    name: 'SDK on, all recorded (always_on, no-op exporter)',
    env: { OTEL_TRACES_SAMPLER: 'always_on' },
    processors: () => [
      new BatchSpanProcessor(noopExporter, { maxQueueSize: 65_536, maxExportBatchSize: 4096 }),
    ],
  },
];

/** CPU ns per message of one round of `MESSAGES` messages in `mode`. */
async function round(mode: Mode, userProperties: [string, string][]): Promise<number> {
  Object.assign(process.env, mode.env);
  initTracing('bench', mode.processors ? { spanProcessors: mode.processors() } : {});
  let sink = 0;
  const start = process.cpuUsage();
  for (let i = 0; i < MESSAGES; i++) sink += Object.keys(oneMessage(i, userProperties)).length;
  const used = process.cpuUsage(start);
  await shutdownTracing();
  for (const key of Object.keys(mode.env)) delete process.env[key];
  if (sink < 0) console.log(sink);
  return ((used.user + used.system) * 1000) / MESSAGES;
}

/** The yardstick: CPU ns of `JSON.parse` of a ~50-byte payload (~670 ns on a quiet core, docs/benchmarks.md). */
function referenceRound(): number {
  const payloads = Array.from(
    { length: 64 },
    (_, i) => `{"dev":"d${i}","temp":${20 + i},"hum":40,"ok":true}`,
  );
  let sink = 0;
  const start = process.cpuUsage();
  for (let i = 0; i < MESSAGES; i++) sink += (JSON.parse(payloads[i & 63]!) as { temp: number }).temp;
  const used = process.cpuUsage(start);
  if (sink < 0) console.log(sink);
  return ((used.user + used.system) * 1000) / MESSAGES;
}

async function main() {
  const device: [string, string][] = [
    ['traceparent', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'],
  ];
  const best = (samples: number[]) => Math.min(...samples);
  const plain = modes.map(() => [] as number[]);
  const continued = modes.map(() => [] as number[]);
  const reference: number[] = [];
  // why interleaved and the minimum: a shared, busy machine slows whole stretches of time; taking
  // every mode in every round and keeping the least disturbed round compares like with like
  for (let r = 0; r < ROUNDS + 1; r++) {
    const warmUp = r === 0;
    if (!warmUp) reference.push(referenceRound());
    for (const [m, mode] of modes.entries()) {
      const a = await round(mode, []);
      const b = await round(mode, device);
      if (warmUp) continue;
      plain[m]!.push(a);
      continued[m]!.push(b);
    }
  }
  const yardstick = best(reference);
  const cell = (ns: number) => `${Math.round(ns)} (${(ns / yardstick).toFixed(1)}×)`;
  console.log(`# Tracing cost per message (ingest + 1 rule + 1 delivery attempt), Node ${process.version}\n`);
  console.log(`CPU ns per message, minimum of ${ROUNDS} interleaved rounds of ${MESSAGES} messages; in`);
  console.log(
    `brackets, in units of JSON.parse of a ~50-byte payload, measured alongside: ${Math.round(yardstick)} ns.\n`,
  );
  console.log('| mode | no device traceparent | with a device traceparent |');
  console.log('| --- | ---: | ---: |');
  for (const [m, mode] of modes.entries()) {
    console.log(`| ${mode.name} | ${cell(best(plain[m]!))} | ${cell(best(continued[m]!))} |`);
  }
}

void main();
