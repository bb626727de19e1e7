import {
  InProcessBus,
  createSubjects,
  decodeDeadLetter,
  defaultBusConfig,
  encodeActionRequest,
} from '@sluice/bus';
import { tenantTargetPolicy } from '@sluice/connectors';
import { DeliveryStage, deliveryDurable, parsePipelineDefinition, type StageLogger } from '@sluice/pipeline';
import { createConnector, failure, ok, tenantWithKey } from '../../services/gateway/test/graphql-fixture';
import { startGraphqlApp } from '../../services/gateway/test/graphql-test-app';
import { eventually, freePort, HttpTarget } from '../support';

// Findings: tenants pointed connectors at loopback services, the internal Redis and the cloud
// metadata address, and testConnector answered like a port scanner (300 probes in one request,
// open and closed ports distinguishable).
const TEST_CONNECTOR = `query($config: JSONObject!) { testConnector(kind: "http", config: $config) { state reason } }`;

describe('tenant connectors against the default target policy (nothing allowed)', () => {
  let t: Awaited<ReturnType<typeof startGraphqlApp>>;
  let mallory: Awaited<ReturnType<typeof tenantWithKey>>;

  beforeAll(async () => {
    t = await startGraphqlApp('sqlite', { targetsAllow: [] });
    mallory = await tenantWithKey(t, 'mallory', undefined);
  });
  afterAll(async () => {
    await t.close();
    await t.dispose();
  });

  it.each([
    ['the cloud metadata address', 'http://169.254.169.254/latest/meta-data/'],
    ['the internal Redis', 'http://127.0.0.1:6379/'],
    ['a name that resolves to loopback', 'http://localhost:5432/'],
    ['loopback written as IPv4-mapped IPv6', 'http://[::ffff:127.0.0.1]:80/'],
    ['the unspecified address (loopback on Linux)', 'http://0.0.0.0:80/'],
    ['a private network', 'http://10.0.0.5/'],
  ])('refuses %s', async (_what, url) => {
    const error = failure(
      await createConnector(t, mallory.key, { name: 'probe', kind: 'http', config: { url } }),
    );
    expect(error.code).toBe('FORBIDDEN');
    expect(error.message).toMatch(/is not allowed/);
  });

  it("leaves the operator's own connectors unrestricted (a local single-user install)", async () => {
    const created = ok(
      await createConnector(
        t,
        t.adminKey,
        { name: 'local', kind: 'http', config: { url: 'http://127.0.0.1:9/' } },
        mallory.id,
      ),
    );
    expect(created.createConnector.config).toMatchObject({ url: 'http://127.0.0.1:9/' });
  });

  // a tenant's source on a broker of its own: the same policy
  const CREATE_SOURCE =
    'mutation($i: CreateSourceInput!, $t: ID) { createSource(input: $i, tenantId: $t) { id version config } }';
  const UPDATE_SOURCE = 'mutation($i: UpdateSourceInput!) { updateSource(input: $i) { id config } }';
  const source = (url: string) => ({ i: { name: 'probe', config: { url, topics: [{ filter: '#' }] } } });

  it.each([
    ['the cloud metadata address', 'mqtt://169.254.169.254:1883'],
    ['the internal Redis', 'mqtt://127.0.0.1:6379'],
    ['a private network over TLS, default port', 'mqtts://10.0.0.5'],
    ['loopback over WebSocket', 'ws://localhost/mqtt'],
  ])('refuses %s when a tenant creates it', async (_what, url) => {
    const error = failure(await t.gql(mallory.key, CREATE_SOURCE, source(url)));
    expect(error.code).toBe('FORBIDDEN');
    expect(error.message).toMatch(/is not allowed/);
  });

  it("refuses a tenant's update that points a source there, and leaves the operator's sources unrestricted", async () => {
    const created = ok(
      await t.gql<{ createSource: { id: string; version: number } }>(t.adminKey, CREATE_SOURCE, {
        ...source('mqtt://127.0.0.1:1883'),
        t: mallory.id,
      }),
    ).createSource;
    const error = failure(
      await t.gql(mallory.key, UPDATE_SOURCE, {
        i: {
          id: created.id,
          version: created.version,
          config: { url: 'mqtt://127.0.0.1:6379', topics: [{ filter: '#' }] },
        },
      }),
    );
    expect(error.code).toBe('FORBIDDEN');
  });
});

describe('the operator allows loopback: link-local and metadata stay denied', () => {
  let t: Awaited<ReturnType<typeof startGraphqlApp>>;
  let mallory: Awaited<ReturnType<typeof tenantWithKey>>;

  beforeAll(async () => {
    t = await startGraphqlApp('sqlite', { targetsAllow: ['loopback'] });
    mallory = await tenantWithKey(t, 'mallory');
  });
  afterAll(async () => {
    await t.close();
    await t.dispose();
  });

  it('allows 127.0.0.1 and still refuses 169.254.169.254', async () => {
    ok(
      await createConnector(t, mallory.key, {
        name: 'ok',
        kind: 'http',
        config: { url: 'http://127.0.0.1:9/' },
      }),
    );
    const error = failure(
      await createConnector(t, mallory.key, {
        name: 'md',
        kind: 'http',
        config: { url: 'http://169.254.169.254/' },
      }),
    );
    expect(error.message).toMatch(/link-local, metadata/);
  });

  it('testConnector answers a closed port and a filtered one alike, after the same time', async () => {
    const { key } = await tenantWithKey(t, 'scanner');
    const closed = `http://127.0.0.1:${await freePort()}/`;
    // TEST-NET-1 (RFC 5737): nothing answers there, so the connect attempt is dropped or unreachable
    const filtered = 'http://192.0.2.1:81/';
    const timed = async (url: string) => {
      const started = Date.now();
      const answer = ok(
        await t.gql<{ testConnector: unknown }>(key, TEST_CONNECTOR, {
          config: { url, connectTimeoutMs: 60_000 },
        }),
      );
      return { answer: answer.testConnector, ms: Date.now() - started };
    };
    const [a, b] = await Promise.all([timed(closed), timed(filtered)]);
    expect(a.answer).toEqual({ state: 'disconnected', reason: 'could not connect' });
    expect(b.answer).toEqual(a.answer);
    expect(a.ms).toBeGreaterThanOrEqual(2_900);
    expect(Math.abs(a.ms - b.ms)).toBeLessThan(1_000);
  });

  it('testConnector is rate-limited per key', async () => {
    const { key } = await tenantWithKey(t, 'limited');
    const target = await new HttpTarget().start();
    try {
      const answers = [];
      for (let n = 0; n < 11; n++)
        answers.push(await t.gql(key, TEST_CONNECTOR, { config: { url: target.url } }));
      expect(answers.slice(0, 10).every((a) => !a.errors)).toBe(true);
      expect(failure(answers[10]!).extensions).toMatchObject({ sluiceCode: 'RATE_LIMITED' });
    } finally {
      await target.close();
    }
  });
});

describe("delivery checks a tenant's targets on the resolved address when it connects", () => {
  const quiet: StageLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };

  it('a name that resolves to a denied address gets nothing sent; its requests are dead-lettered', async () => {
    const target = await new HttpTarget().start();
    const subjects = createSubjects('');
    const bus = new InProcessBus(defaultBusConfig(), subjects);
    await bus.start();
    const policy = tenantTargetPolicy({
      SLUICE_CONNECTOR_TARGETS_ALLOW: [],
      SLUICE_CONNECTOR_TARGETS_DENY: [],
    });
    const stage = new DeliveryStage(
      bus,
      subjects,
      quiet,
      { maxAttempts: 1, baseBackoffMs: 10, maxBackoffMs: 10 },
      undefined,
      undefined,
      undefined,
      policy,
    );
    try {
      // as if the name resolved to a public address when saved and to loopback now (DNS rebinding)
      const url = `http://localhost:${target.port}/hook`;
      const pipeline = parsePipelineDefinition({
        tenants: [
          {
            id: 'mallory',
            connectors: [{ id: 'hook', kind: 'http', config: { url }, configuredBy: 'tenant' }],
            rules: [{ id: 'r', sql: 'SELECT * FROM "t/#"', actions: [{ id: 'a', connector: 'hook' }] }],
          },
        ],
      });
      await stage.load(pipeline);
      const letters: string[] = [];
      await bus.consume({ stream: 'DLQ', durable: 'probe', filterSubject: subjects.dlqAll() }, async (m) => {
        letters.push(decodeDeadLetter(m.data).errorCode);
        await m.ack();
      });
      await bus.consume(
        {
          stream: 'ACTIONS',
          durable: deliveryDurable('mallory', 'hook'),
          filterSubject: subjects.actions('mallory', 'hook'),
        },
        (m) => stage.handle(m),
      );
      await bus.publish(
        subjects.actions('mallory', 'hook'),
        encodeActionRequest({
          id: 'x1',
          tenant: 'mallory',
          ruleId: 'r',
          actionId: 'a',
          connectorId: 'hook',
          data: Buffer.from('{}'),
          sourceMessageId: 'x1',
          createdAt: Date.now(),
          trace: {},
        }),
        { msgId: 'x1' },
      );
      await eventually(() => expect(letters).toEqual(['CONNECTOR_TARGET_DENIED']));
      expect(target.requests).toEqual([]);
    } finally {
      await stage.close();
      await bus.close();
      await target.close();
    }
  });
});
