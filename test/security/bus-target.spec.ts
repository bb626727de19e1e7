import {
  createSubjects,
  decodeDeadLetter,
  defaultBusConfig,
  deleteBusStreams,
  encodeActionRequest,
  JetStreamBus,
  type Consumption,
} from '@sluice/bus';
import { DeliveryStage, deliveryDurable, parsePipelineDefinition, type StageLogger } from '@sluice/pipeline';
import { tenantTargetPolicy } from '@sluice/connectors';
import { connect, type NatsConnection } from 'nats';
import {
  createConnector,
  createRule,
  failure,
  ok,
  tenantWithKey,
} from '../../services/gateway/test/graphql-fixture';
import { startGraphqlApp } from '../../services/gateway/test/graphql-test-app';
import { eventually, testNamespace, testServers } from '../support';

// Finding: a tenant's NATS connector aimed at the service bus forged another tenant's usage report
// and purged the shared dead-letter stream through `$JS.API`; the config store's `$KV` subjects were
// as reachable. Replayed here against the real NATS the tests' mesh runs on.
const ns = testNamespace();
const quiet: StageLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };
const busUrl = testServers.natsUrl;
const reservedSubjects = [
  `$JS.API.STREAM.PURGE.${ns.streamPrefix}DLQ`,
  `$KV.${ns.streamPrefix}SLUICE_CONFIG.victim`,
  '$SYS.REQ.SERVER.PING',
  '_INBOX.abc',
  'sluice.usage.victim',
  `${ns.streamPrefix}sluice.metrics.victim`,
];

describe('the service bus is not a target: through the GraphQL API', () => {
  let t: Awaited<ReturnType<typeof startGraphqlApp>>;
  let mallory: Awaited<ReturnType<typeof tenantWithKey>>;
  let ownNats: string;

  beforeAll(async () => {
    // loopback allowed, as for a single-machine install: the bus must stay out of reach anyway
    t = await startGraphqlApp('sqlite', { meshNatsUrl: busUrl, targetsAllow: ['loopback'] });
    mallory = await tenantWithKey(t, 'mallory');
    // a NATS server of mallory's own (not the bus): allowed, but its subjects are still checked
    ownNats = ok(
      await createConnector(t, mallory.key, {
        name: 'own-nats',
        kind: 'nats',
        config: { servers: 'nats://127.0.0.1:1' },
      }),
    ).createConnector.id;
  });
  afterAll(async () => {
    await t.close();
    await t.dispose();
  });

  it.each([busUrl, busUrl.replace('127.0.0.1', 'localhost'), busUrl.replace('127.0.0.1', '[::1]')])(
    "a tenant's NATS connector to the bus's server (%s) is refused",
    async (servers) => {
      const error = failure(
        await createConnector(t, mallory.key, {
          name: `bus-${servers.length}`,
          kind: 'nats',
          config: { servers },
        }),
      );
      expect(error.code).toBe('FORBIDDEN');
      expect(error.message).toMatch(/service bus/);
    },
  );

  it("a tenant's NATS source aimed at nothing is refused: it never defaults to the bus", async () => {
    const answer = await t.gql(
      mallory.key,
      'mutation($i: CreateSourceInput!) { createSource(input: $i) { id } }',
      { i: { name: 'bus-reader', kind: 'nats', config: { topics: [{ filter: 'sluice.>' }] } } },
    );
    const error = failure(answer);
    expect(error.code).toBe('BAD_USER_INPUT');
    // the API takes MQTT sources only so far; once it takes NATS ones, the same check as ingest's
    // (checkSourceRunConfig, libs/pipeline/src/source-run-config.spec.ts) refuses a missing url
    expect(error.extensions['field']).toBe('input.kind');
  });

  it.each(reservedSubjects)('a NATS action publishing to %s is refused when saved', async (subject) => {
    const error = failure(
      await createRule(t, mallory.key, {
        name: `forge-${subject.length}-${subject.charCodeAt(0)}`,
        sql: 'SELECT * FROM "t/#"',
        actions: [{ connectorId: ownNats, config: { subject } }],
      }),
    );
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(error.message).toMatch(/reserved/);
  });
});

describe('the service bus is not a target: in delivery, on the real NATS', () => {
  const namespace = `${ns.streamPrefix}bt_`;
  const subjects = createSubjects(namespace);
  let bus: JetStreamBus;
  let nc: NatsConnection;
  let stage: DeliveryStage;
  let handles: Awaited<ReturnType<DeliveryStage['load']>> = [];
  const consumptions: Consumption[] = [];

  beforeAll(async () => {
    bus = new JetStreamBus(defaultBusConfig({ SLUICE_NATS_URL: busUrl }), subjects);
    await bus.start();
    nc = await connect({ servers: busUrl });
    const policy = tenantTargetPolicy(
      { SLUICE_CONNECTOR_TARGETS_ALLOW: ['loopback'], SLUICE_CONNECTOR_TARGETS_DENY: [] },
      busUrl,
    );
    stage = new DeliveryStage(
      bus,
      subjects,
      quiet,
      { maxAttempts: 2, baseBackoffMs: 10, maxBackoffMs: 20 },
      undefined,
      undefined,
      undefined,
      policy,
    );
    // mallory's connector aimed at the bus (as a definition could carry it), and the operator's own
    // NATS connector on the same server whose subject a message chooses
    const pipeline = parsePipelineDefinition({
      tenants: [
        {
          id: 'mallory',
          connectors: [
            { id: 'bus', kind: 'nats', config: { servers: busUrl }, configuredBy: 'tenant' },
            { id: 'ops', kind: 'nats', config: { servers: busUrl }, configuredBy: 'operator' },
          ],
          rules: [
            {
              id: 'r',
              sql: 'SELECT * FROM "t/#"',
              actions: [
                { id: 'direct', connector: 'bus', config: { subject: 'anything' } },
                { id: 'chosen', connector: 'ops', config: { subject: '${to}' } },
              ],
            },
          ],
        },
      ],
    });
    handles = await stage.load(pipeline);
    for (const handle of handles) {
      consumptions.push(
        await bus.consume(
          {
            stream: 'ACTIONS',
            durable: deliveryDurable('mallory', handle.id),
            filterSubject: subjects.actions('mallory', handle.id),
          },
          (m) => stage.handle(m),
        ),
      );
    }
  });
  afterAll(async () => {
    await Promise.all(consumptions.map((c) => c.stop()));
    await stage.close();
    await nc.close();
    await bus.close();
    await deleteBusStreams(busUrl, namespace);
  });

  const request = (id: string, actionId: string, connectorId: string, data: Record<string, unknown>) =>
    bus.publish(
      subjects.actions('mallory', connectorId),
      encodeActionRequest({
        id,
        tenant: 'mallory',
        ruleId: 'r',
        actionId,
        connectorId,
        data: Buffer.from(JSON.stringify(data)),
        sourceMessageId: id,
        createdAt: Date.now(),
        trace: {},
      }),
      { msgId: id },
    );

  let probes = 0;
  async function deadLetters(): Promise<Map<string, string>> {
    const letters = new Map<string, string>();
    const consumption = await bus.consume(
      { stream: 'DLQ', durable: `probe_${++probes}`, filterSubject: subjects.dlqAll() },
      async (m) => {
        const letter = decodeDeadLetter(m.data);
        letters.set(letter.request?.id ?? '?', letter.errorCode);
        await m.ack();
      },
    );
    consumptions.push(consumption);
    return letters;
  }

  it("a tenant's connector to the bus never connects; its requests are dead-lettered as CONNECTOR_TARGET_DENIED", async () => {
    const handle = handles.find((h) => h.id === 'bus')!;
    expect(handle.connector.status()).toMatchObject({ state: 'disconnected' });
    expect(handle.connector.status().reason).toMatch(/service bus/);
    const letters = await deadLetters();
    await request('direct-1', 'direct', 'bus', { to: 'x' });
    await eventually(() => expect(letters.get('direct-1')).toBe('CONNECTOR_TARGET_DENIED'));
  });

  it('a message cannot steer a subject template into usage reports or the JetStream API', async () => {
    const forged: string[] = [];
    const usage = nc.subscribe(subjects.usage('victim'), { callback: (_e, m) => forged.push(m.subject) });
    const letters = await deadLetters();
    const dlqBefore = (await bus.streamStats('DLQ')).messages;
    await request('forge-usage', 'chosen', 'ops', { to: subjects.usage('victim') });
    await request('purge-dlq', 'chosen', 'ops', { to: `$JS.API.STREAM.PURGE.${subjects.stream('DLQ')}` });
    await request('kv', 'chosen', 'ops', { to: `$KV.${namespace}SLUICE_CONFIG.victim` });
    await eventually(() =>
      expect(['forge-usage', 'purge-dlq', 'kv'].map((id) => letters.get(id))).toEqual([
        'CONNECTOR_TARGET_DENIED',
        'CONNECTOR_TARGET_DENIED',
        'CONNECTOR_TARGET_DENIED',
      ]),
    );
    await nc.flush();
    usage.unsubscribe();
    expect(forged).toEqual([]);
    // nothing purged: the stream holds what it held, plus the new dead letters
    expect((await bus.streamStats('DLQ')).messages).toBeGreaterThanOrEqual(dlqBefore + 3);
  });
});
