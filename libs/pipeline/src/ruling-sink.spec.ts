import {
  createSubjects,
  decodeActionRequests,
  decodeDeadLetter,
  decodeIngestEnvelope,
  defaultBusConfig,
  InProcessBus,
  type BusMessage,
} from '@sluice/bus';
import { createRulingSink, parsePipelineDefinition, RuleStage, type StageLogger } from '@sluice/pipeline';
import type { IngestedMessage } from '@sluice/sources';
import { SluiceMetrics } from '@sluice/telemetry';
import { ActionQueueFullError } from './action-queue/action-queue-limits';
import { MAX_RULE_STAGE_ATTEMPTS } from './rule-stage';
import { RuleTaps } from './rule-trace/rule-tap';

// The embedded mode runs the rules on ingest's turn (docs/adr/0007): the sink stores only the action
// requests, and resolves (the broker is acknowledged) only once they, or a dead letter, are stored.

const subjects = createSubjects('T_ruling_');
const quiet: StageLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };
const pipeline = parsePipelineDefinition({
  tenants: [
    {
      id: 'acme',
      connectors: [{ id: 'hook', kind: 'scripted' }],
      rules: [
        {
          id: 'hot',
          sql: 'SELECT payload.temp AS temp FROM "sensors/#" WHERE payload.temp > 30',
          actions: [{ id: 'a1', connector: 'hook' }],
        },
      ],
    },
  ],
});

function message(id: string, temp: number, topic = 'sensors/a', qos: 0 | 1 = 1): IngestedMessage {
  return {
    id,
    topic,
    payload: Buffer.from(JSON.stringify({ temp })),
    qos,
    retain: false,
    dup: false,
    receivedAt: 1_700_000_000_000,
  };
}

describe('createRulingSink (rules on the ingest turn)', () => {
  let bus: InProcessBus;
  const published: { subject: string; data: Uint8Array; headers: Record<string, string> }[] = [];
  let publish: InProcessBus['publish'];
  beforeEach(async () => {
    bus = new InProcessBus(defaultBusConfig(), subjects);
    await bus.start();
    published.length = 0;
    publish = bus.publish.bind(bus);
    vi.spyOn(bus, 'publish').mockImplementation(async (subject, data, options) => {
      published.push({ subject, data, headers: options.headers ?? {} });
      return publish(subject, data, options);
    });
  });
  afterEach(() => bus.close());

  const requests = () =>
    published
      .filter((p) => p.subject === subjects.actions('acme', 'hook'))
      .flatMap((p) => decodeActionRequests({ data: p.data, headers: p.headers } as unknown as BusMessage));
  const rulesDeadLetters = () =>
    published
      .filter((p) => p.subject === subjects.dlq('acme', '_rules'))
      .map((p) => decodeDeadLetter(p.data));

  function sinkWith(stage: RuleStage, metrics?: SluiceMetrics) {
    stage.load(pipeline);
    return createRulingSink(stage, bus, subjects, 'acme', 'devices', metrics);
  }

  it('stores one action request per output and nothing in INGEST; a message no rule selects stores nothing', async () => {
    const metrics = new SluiceMetrics({ defaultMetrics: false });
    const stage = new RuleStage(bus, subjects, quiet, metrics);
    const sink = sinkWith(stage, metrics);
    await sink(message('hot-1', 35));
    await sink(message('cold-1', 10));
    await sink(message('other-1', 99, 'elsewhere/a'));
    expect(requests().map((r) => [r.id, JSON.parse(Buffer.from(r.data).toString())])).toEqual([
      ['hot-1:hot:0:a1', { temp: 35 }],
    ]);
    expect(published.map((p) => p.subject)).toEqual([subjects.actions('acme', 'hook')]);
    expect(stage.counters).toMatchObject({ messages: 3, matched: 2, passed: 1, noResult: 1 });
    await new Promise((resolve) => setImmediate(resolve)); // the counters reach Prometheus once per turn
    const text = await metrics.render();
    expect(text).toContain('sluice_rule_matched_total{tenant="acme",rule="hot"} 2');
    expect(text).toContain('sluice_rule_passed_total{tenant="acme",rule="hot"} 1');
    expect(text).toContain('sluice_source_messages_stored_total{tenant="acme",source="devices"} 3');
  });

  it('resolves only once the action request is stored', async () => {
    const sink = sinkWith(new RuleStage(bus, subjects, quiet));
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    vi.mocked(bus.publish).mockImplementation(async (subject, data, options) => {
      await held;
      return publish(subject, data, options);
    });
    let settled = false;
    const stored = sink(message('hot-2', 40)).then(() => (settled = true));
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    release();
    await stored;
    expect(settled).toBe(true);
  });

  it('dead-letters a message that breaks the stage, with its envelope, and resolves', async () => {
    const taps = new RuleTaps(bus, subjects, quiet, { node: 'test' });
    vi.spyOn(taps, 'observe').mockImplementation(() => {
      throw new RangeError('Maximum call stack size exceeded');
    });
    const sink = sinkWith(new RuleStage(bus, subjects, quiet, undefined, taps));
    await sink(message('poison', 50));
    expect(requests()).toEqual([]);
    const letters = rulesDeadLetters();
    expect(letters.map((l) => [l.errorCode, l.errorMessage])).toEqual([
      [
        'RULE_STAGE_FAILED',
        "message poison on 'sensors/a' broke the rules stage: Maximum call stack size exceeded",
      ],
    ]);
    expect(decodeIngestEnvelope(letters[0]!.raw)).toMatchObject({ id: 'poison', topic: 'sensors/a' });
  });

  it('rejects while the outputs cannot be stored, then dead-letters the message on the last attempt', async () => {
    const sink = sinkWith(new RuleStage(bus, subjects, quiet));
    vi.mocked(bus.publish).mockImplementation(async (subject, data, options) => {
      if (subject === subjects.actions('acme', 'hook')) throw new Error('MAX_PAYLOAD_EXCEEDED (repeats)');
      published.push({ subject, data, headers: options.headers ?? {} });
      return publish(subject, data, options);
    });
    // the source tries the same message again (same id) after each rejection
    for (let attempt = 1; attempt < MAX_RULE_STAGE_ATTEMPTS; attempt++)
      await expect(sink(message('big', 50))).rejects.toThrow('MAX_PAYLOAD_EXCEEDED');
    // another message's failures are its own
    await expect(sink(message('other', 50))).rejects.toThrow('MAX_PAYLOAD_EXCEEDED');
    expect(rulesDeadLetters()).toEqual([]);
    await sink(message('big', 50));
    const letters = rulesDeadLetters();
    expect(letters.map((l) => [l.errorCode, l.attempts])).toEqual([
      ['RULE_OUTPUT_NOT_STORED', MAX_RULE_STAGE_ATTEMPTS],
    ]);
    expect(letters[0]!.errorMessage).toBe(
      `message big on 'sensors/a' failed ${MAX_RULE_STAGE_ATTEMPTS} times: MAX_PAYLOAD_EXCEEDED (repeats)`,
    );
    expect(decodeIngestEnvelope(letters[0]!.raw)).toMatchObject({ id: 'big' });
  });

  it('keeps rejecting for a full action queue (backpressure to the broker), never dead-letters', async () => {
    const sink = sinkWith(new RuleStage(bus, subjects, quiet));
    vi.mocked(bus.publish).mockImplementation(async (subject) => {
      if (subject === subjects.actions('acme', 'hook')) throw new ActionQueueFullError('queue hook is full');
    });
    for (let attempt = 1; attempt <= MAX_RULE_STAGE_ATTEMPTS + 2; attempt++)
      await expect(sink(message('busy', 50))).rejects.toThrow('queue hook is full');
    expect(rulesDeadLetters()).toEqual([]);
  });
});
