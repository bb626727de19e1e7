import {
  BATCH_HEADER,
  createSubjects,
  decodeActionRequests,
  defaultBusConfig,
  deleteBusStreams,
  encodeIngestBatch,
  encodeIngestEnvelope,
  InProcessBus,
  JetStreamBus,
  type Bus,
  type BusMessage,
  type Consumption,
  type IngestEnvelope,
} from '@sluice/bus';
import { parsePipelineDefinition, RuleStage, type StageLogger } from '@sluice/pipeline';
import { compileRule, RuleSqlError } from '@sluice/rule-engine';
import { eventually, testNamespace, testServers } from '../support';

// Issue 14, "denial of service from one message or one request", replayed against the rules stage
// on both buses: a catastrophic regular expression taken from the message, a deeply nested payload
// in a batch with good messages, and rule SQL that used to compile in quadratic time.

const ns = testNamespace();
const quiet: StageLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };
let counter = 0;

const pipeline = parsePipelineDefinition({
  tenants: [
    {
      id: 'acme',
      connectors: [{ id: 'hook', kind: 'http', config: { url: 'http://127.0.0.1:9/unused' } }],
      rules: [
        {
          id: 'relay',
          // the pattern comes from the message, as an attacker's would
          sql: 'SELECT payload.n AS n, payload.s AS s, regex_match(payload.t, payload.re) AS m FROM "t/#"',
          actions: [{ id: 'a1', connector: 'hook' }],
        },
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
    clientid: 'attacker',
    username: '',
    peerhost: '',
    receivedAt: 1_700_000_000_000,
    trace: {},
  };
}

describe.each(['in-process', 'nats'] as const)('rules stage under attack (%s bus)', (kind) => {
  let bus: Bus;
  let namespace: string;
  const consumptions: Consumption[] = [];

  beforeEach(async () => {
    namespace = `${ns.streamPrefix}dos${counter++}_`;
    const subjects = createSubjects(namespace);
    const config = defaultBusConfig({ SLUICE_NATS_URL: testServers.natsUrl });
    bus = kind === 'nats' ? new JetStreamBus(config, subjects) : new InProcessBus(config, subjects);
    await bus.start();
  });

  afterEach(async () => {
    for (const c of consumptions.splice(0)) await c.stop();
    await bus.close();
    if (kind === 'nats') await deleteBusStreams(testServers.natsUrl, namespace);
  });

  it('a catastrophic pattern from the message and a deeply nested payload neither stall nor block the batch', async () => {
    const subjects = createSubjects(namespace);
    const stage = new RuleStage(bus, subjects, quiet);
    stage.load(pipeline);
    const requests: { id: string; data: unknown }[] = [];
    consumptions.push(
      await bus.consume(
        { stream: 'ACTIONS', durable: 'probe', filterSubject: subjects.actionsAll() },
        async (m: BusMessage) => {
          for (const r of decodeActionRequests(m))
            requests.push({ id: r.sourceMessageId, data: JSON.parse(Buffer.from(r.data).toString()) });
          await m.ack();
        },
      ),
    );
    consumptions.push(
      await bus.consume({ stream: 'INGEST', durable: 'rules', filterSubject: subjects.ingestAll() }, (m) =>
        stage.handle(m),
      ),
    );

    const redos = JSON.stringify({ n: 1, s: 'a', t: 'x'.repeat(30), re: '(x+x+)+y' });
    const deep = `{"n":2,"t":"abc","re":"^a","s":${'['.repeat(200_000)}${']'.repeat(200_000)}}`;
    const good = JSON.stringify({ n: 3, s: 'b', t: 'abc', re: '^a' });
    await bus.publish(subjects.ingest('acme', 'devices'), encodeIngestEnvelope(envelope('redos', redos)), {
      msgId: 'redos',
    });
    // the deep payload shares a batch with a good message, as ingest's batch envelopes do
    await bus.publish(
      subjects.ingest('acme', 'devices'),
      encodeIngestBatch([envelope('deep', deep), envelope('good', good)]),
      { msgId: 'batch', headers: { [BATCH_HEADER]: '2' } },
    );

    await eventually(() =>
      expect(requests.sort((a, b) => a.id.localeCompare(b.id))).toEqual([
        { id: 'good', data: { n: 3, s: 'b', m: true } },
        { id: 'redos', data: { n: 1, s: 'a', m: false } },
      ]),
    );
    // nothing left to redeliver: both INGEST messages were acknowledged once
    await eventually(async () =>
      expect(await bus.consumerBacklog?.('INGEST', 'rules')).toEqual({ pending: 0, ackPending: 0 }),
    );
    expect(stage.counters).toMatchObject({ messages: 2, passed: 2, failed: 1 });
  });
});

describe('rule SQL a tenant sends', () => {
  it('compiles 10,000 columns (quadratic before: 16.7 s) and refuses oversized SQL with a clear error', () => {
    const fields = Array.from({ length: 10_000 }, (_, i) => `payload.a${i} AS c${i}`).join(', ');
    expect(compileRule(`SELECT ${fields} FROM "t/#"`).topics).toEqual(['t/#']);
    const huge = `SELECT ${fields}, ${fields} FROM "t/#"`;
    expect(() => compileRule(huge)).toThrow(RuleSqlError);
    expect(() => compileRule(huge)).toThrow(/^rule SQL is \d+ characters long, more than the 262144 allowed/);
  });

  it('refuses 20,000 chained operators with a syntax error instead of overflowing the stack', () => {
    const sql = `SELECT 1 FROM "t" WHERE ${Array(20_000).fill('a = 1').join(' OR ')}`;
    expect(() => compileRule(sql)).toThrow(/expression nested too deeply .* at line 1, column \d+$/);
  });
});
