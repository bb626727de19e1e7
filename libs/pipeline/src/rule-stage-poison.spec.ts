import {
  BATCH_HEADER,
  createSubjects,
  decodeActionRequests,
  decodeDeadLetter,
  decodeIngestEnvelope,
  defaultBusConfig,
  encodeIngestBatch,
  InProcessBus,
  type BusMessage,
  type IngestEnvelope,
} from '@sluice/bus';
import { parsePipelineDefinition, RuleStage, type StageLogger } from '@sluice/pipeline';
import { MAX_RULE_STAGE_ATTEMPTS } from './rule-stage';
import { RuleTaps } from './rule-trace/rule-tap';

// A message that breaks the rules stage must neither be redelivered for ever nor hold up the other
// messages of its batch (issue 14: a deeply nested payload did both before JSON had a depth bound).

const subjects = createSubjects('T_poison_');
const quiet: StageLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };
const pipeline = parsePipelineDefinition({
  tenants: [
    {
      id: 'acme',
      connectors: [{ id: 'hook', kind: 'scripted' }],
      rules: [
        { id: 'all', sql: 'SELECT payload.n AS n FROM "t/#"', actions: [{ id: 'a1', connector: 'hook' }] },
      ],
    },
  ],
});

function envelope(id: string, payload: string): IngestEnvelope {
  return {
    id,
    tenant: 'acme',
    source: 'devices',
    topic: 't/1',
    payload: Buffer.from(payload),
    qos: 1,
    retain: false,
    userProperties: [],
    clientid: '',
    username: '',
    peerhost: '',
    receivedAt: 1_700_000_000_000,
    trace: {},
  };
}

/** A delivery of one INGEST batch, recording what the stage did with it. */
function delivery(envelopes: IngestEnvelope[], deliveryCount: number) {
  const settled = { acked: false, naked: false };
  const message: BusMessage = {
    subject: subjects.ingest('acme', 'devices'),
    data: encodeIngestBatch(envelopes),
    headers: { [BATCH_HEADER]: String(envelopes.length) },
    msgId: 'batch-1',
    deliveryCount,
    ack: async () => {
      settled.acked = true;
    },
    nak: () => {
      settled.naked = true;
    },
    term: () => undefined,
    working: () => undefined,
  };
  return { message, settled };
}

describe('RuleStage with a message that breaks it', () => {
  let bus: InProcessBus;
  const published: { subject: string; data: Uint8Array; headers: Record<string, string> }[] = [];
  beforeEach(async () => {
    bus = new InProcessBus(defaultBusConfig(), subjects);
    await bus.start();
    published.length = 0;
    const publish = bus.publish.bind(bus);
    vi.spyOn(bus, 'publish').mockImplementation(async (subject, data, options) => {
      published.push({ subject, data, headers: options.headers ?? {} });
      return publish(subject, data, options);
    });
  });
  afterEach(() => bus.close());

  const actionRequests = () =>
    published
      .filter((p) => p.subject === subjects.actions('acme', 'hook'))
      .flatMap((p) => decodeActionRequests({ data: p.data, headers: p.headers } as unknown as BusMessage));
  const deadLetters = () => published.filter((p) => p.subject.startsWith(subjects.dlq('acme', '_rules')));

  it('dead-letters that message alone, stores the outputs of the others and acks the batch', async () => {
    // a tap that throws on one message stands for any fault that message triggers in the stage
    const taps = new RuleTaps(bus, subjects, quiet, { node: 'test' });
    vi.spyOn(taps, 'observe').mockImplementation((_tenant, _rule, env) => {
      if (env.id === 'poison') throw new RangeError('Maximum call stack size exceeded');
    });
    const stage = new RuleStage(bus, subjects, quiet, undefined, taps);
    stage.load(pipeline);
    const batch = [
      envelope('good-1', '{"n":1}'),
      envelope('poison', '{"n":2}'),
      envelope('good-2', '{"n":3}'),
    ];
    const { message, settled } = delivery(batch, 1);
    await stage.handle(message);
    expect(settled).toEqual({ acked: true, naked: false });
    expect(actionRequests().map((r) => r.sourceMessageId)).toEqual(['good-1', 'good-2']);
    const letters = deadLetters().map((p) => decodeDeadLetter(p.data));
    expect(letters).toHaveLength(1);
    expect(letters[0]!.errorCode).toBe('RULE_STAGE_FAILED');
    expect(letters[0]!.errorMessage).toBe(
      "message poison on 't/1' broke the rules stage: Maximum call stack size exceeded",
    );
    // the letter keeps the whole message, so it can be replayed
    expect(decodeIngestEnvelope(letters[0]!.raw)).toMatchObject({ id: 'poison', topic: 't/1' });
  });

  it('a deeply nested payload fails its rule (EMQX: decode failure) and the batch goes on', async () => {
    const stage = new RuleStage(bus, subjects, quiet);
    stage.load(pipeline);
    const deep = `{"n":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    const { message, settled } = delivery([envelope('deep', deep), envelope('good', '{"n":7}')], 1);
    await stage.handle(message);
    expect(settled).toEqual({ acked: true, naked: false });
    expect(stage.counters).toMatchObject({ failed: 1, passed: 1 });
    expect(actionRequests().map((r) => r.sourceMessageId)).toEqual(['good']);
  });

  it('retries a message whose outputs cannot be stored, then dead-letters it on the last attempt', async () => {
    const stage = new RuleStage(bus, subjects, quiet);
    stage.load(pipeline);
    const publish = vi.mocked(bus.publish).getMockImplementation()!;
    vi.mocked(bus.publish).mockImplementation(async (subject, data, options) => {
      if (subject.startsWith(subjects.actions('acme', 'hook')))
        throw new Error('MAX_PAYLOAD_EXCEEDED (stands for any failure that repeats)');
      return publish(subject, data, options);
    });
    const early = delivery([envelope('big', '{"n":1}')], MAX_RULE_STAGE_ATTEMPTS - 1);
    await stage.handle(early.message);
    expect(early.settled).toEqual({ acked: false, naked: true });
    expect(published.filter((p) => p.subject.startsWith(subjects.dlq('_unknown', '_unknown')))).toEqual([]);

    const last = delivery([envelope('big', '{"n":1}')], MAX_RULE_STAGE_ATTEMPTS);
    await stage.handle(last.message);
    expect(last.settled).toEqual({ acked: true, naked: false });
    const letters = published
      .filter((p) => p.subject === subjects.dlq('_unknown', '_unknown'))
      .map((p) => decodeDeadLetter(p.data));
    expect(letters).toHaveLength(1);
    expect(letters[0]!.errorCode).toBe('RULE_OUTPUT_NOT_STORED');
    expect(letters[0]!.attempts).toBe(MAX_RULE_STAGE_ATTEMPTS);
    expect(letters[0]!.errorMessage).toContain(
      `failed ${MAX_RULE_STAGE_ATTEMPTS} times: MAX_PAYLOAD_EXCEEDED`,
    );
    expect([...letters[0]!.raw]).toEqual([...last.message.data]);
  });
});
