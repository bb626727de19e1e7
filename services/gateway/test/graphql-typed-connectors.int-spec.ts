import { testServers } from '../../../test/support';
import { createConnector, failure, ok, storedDefinition, tenantWithKey } from './graphql-fixture';
import { startGraphqlApp } from './graphql-test-app';

const plans = JSON.stringify({
  big: {
    maxConnectors: 50,
    maxRules: 4,
    maxActionsPerRule: 1,
    freeActionsPerMonth: 1_000_000,
    pricePerMillionUsd: 0.25,
  },
});

// Typed configuration inputs per connector kind; the connectors library still validates every
// value. Nothing here connects: building a connector only validates it.
describe('typed connector configuration', () => {
  let t: Awaited<ReturnType<typeof startGraphqlApp>>;
  let tenant: { id: string; key: string };

  beforeAll(async () => {
    t = await startGraphqlApp('sqlite', { plans });
    tenant = await tenantWithKey(t, 'typed', 'big');
  });
  afterAll(async () => {
    await t?.close();
    await t?.dispose();
  });

  const stored = async (id: string) =>
    (await storedDefinition(t, tenant.id))!.connectors.find((c) => c.id === id)!.config;

  it.each([
    [
      'http',
      {
        url: 'http://hook:pw@127.0.0.1:9/in',
        poolSize: 2,
        headers: [{ name: 'Authorization', value: 'Bearer s3cret' }],
        tls: { rejectUnauthorized: false },
      },
      { url: 'http://hook@127.0.0.1:9/in', poolSize: 2, tls: { rejectUnauthorized: false } },
      ['headers', 'url.password'],
    ],
    [
      'kafka',
      {
        brokers: ['127.0.0.1:9092'],
        clientId: 'c',
        sasl: { mechanism: 'scram-sha-256', username: 'u', password: 'kpw' },
      },
      { brokers: ['127.0.0.1:9092'], clientId: 'c', sasl: { mechanism: 'scram-sha-256', username: 'u' } },
      ['sasl.password'],
    ],
    [
      'postgres',
      { url: 'postgres://u@127.0.0.1:5432/db', password: 'pgpw', poolSize: 3 },
      { url: 'postgres://u@127.0.0.1:5432/db', poolSize: 3 },
      ['password'],
    ],
    [
      'mysql',
      { url: 'mysql://u:mypw@127.0.0.1:3306/db', database: 'other' },
      { url: 'mysql://u@127.0.0.1:3306/db', database: 'other' },
      ['url.password'],
    ],
    [
      'redis',
      { url: 'redis://127.0.0.1:6379', password: 'rpw', database: 2 },
      { url: 'redis://127.0.0.1:6379', database: 2 },
      ['password'],
    ],
    [
      'rabbitmq',
      { url: 'amqp://127.0.0.1:5672', heartbeatSec: 0, tls: { enable: true, key: 'PEM' } },
      { url: 'amqp://127.0.0.1:5672', heartbeatSec: 0, tls: { enable: true } },
      ['tls.key'],
    ],
    [
      'mqtt',
      { url: 'mqtt://127.0.0.1:1883', username: 'u', password: 'mpw', protocolVersion: 4 },
      { url: 'mqtt://127.0.0.1:1883', username: 'u', protocolVersion: 4 },
      ['password'],
    ],
    [
      'nats',
      { servers: ['nats://127.0.0.1:4222'], token: 'ntok', name: 'n' },
      { servers: ['nats://127.0.0.1:4222'], name: 'n' },
      ['token'],
    ],
  ])(
    'creates a %s connector from its typed input; secrets are write-only',
    async (kind, typed, shown, secrets) => {
      const { createConnector: c } = ok(
        await createConnector(t, tenant.key, { name: `typed-${kind}`, [kind]: typed }),
      );
      expect(c).toMatchObject({ kind, config: shown, secretsSet: secrets });
      expect(JSON.stringify(c)).not.toMatch(/s3cret|kpw|pgpw|mypw|rpw|PEM|mpw|ntok|:pw@/);
      // the services get the secrets back in place
      const running = await stored(c.id);
      for (const path of secrets) {
        if (path === 'url.password') expect(String(running.url)).toMatch(/:\w+pw@|:pw@/);
        else expect(JSON.stringify(running)).toContain(path.split('.').at(-1)!);
      }
    },
  );

  it('passes the headers as a map to the connector', async () => {
    const { createConnector: c } = ok(
      await createConnector(t, tenant.key, {
        name: 'headers',
        http: { url: 'http://127.0.0.1:9', headers: [{ name: 'X-Key', value: 'k1' }] },
      }),
    );
    expect((await stored(c.id)).headers).toEqual({ 'X-Key': 'k1' });
  });

  it.each([
    ['a bad URL', { http: { url: 'ftp://nope' } }, 'input.http.url'],
    ['a pool of 0', { http: { url: 'http://127.0.0.1:9', poolSize: 0 } }, 'input.http.poolSize'],
    [
      'an unknown SASL mechanism',
      { kafka: { brokers: ['k:9092'], sasl: { mechanism: 'md5', username: 'u', password: 'p' } } },
      'input.kafka.sasl.mechanism',
    ],
    ['a broker without a port', { kafka: { brokers: ['k'] } }, 'input.kafka.brokers[0]'],
    ['MQTT protocol 6', { mqtt: { url: 'mqtt://h', protocolVersion: 6 } }, 'input.mqtt.protocolVersion'],
    ['two kinds', { http: { url: 'http://h' }, nats: { servers: ['nats://h'] } }, 'input.nats'],
    ['typed and JSON', { http: { url: 'http://h' }, config: { url: 'http://h' } }, 'input.config'],
    ['a kind that disagrees', { kind: 'postgres', http: { url: 'http://h' } }, 'input.kind'],
    ['no configuration', { kind: 'http' }, 'input.config'],
    ['neither kind nor configuration', {}, 'input.kind'],
  ])('refuses %s with BAD_USER_INPUT naming the field', async (_what, input, field) => {
    const error = failure(await createConnector(t, tenant.key, { name: 'bad', ...input }));
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
  });

  it('refuses a value of the wrong GraphQL type before anything runs', async () => {
    const error = failure(
      await createConnector(t, tenant.key, { name: 'bad', http: { url: 'http://h', poolSize: 'eight' } }),
    );
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.http.poolSize' });
    expect(error.message).toMatch(/Int cannot represent/);
  });

  it("updates from a typed input of the connector's kind, keeping secrets left out", async () => {
    const { createConnector: c } = ok(
      await createConnector(t, tenant.key, {
        name: 'to-update',
        postgres: { url: 'postgres://u@127.0.0.1:5432/db', password: 'keepme' },
      }),
    );
    const update = (input: Record<string, unknown>) =>
      t.gql<{ updateConnector: { version: number; config: Record<string, unknown>; secretsSet: string[] } }>(
        tenant.key,
        'mutation($i: UpdateConnectorInput!) { updateConnector(input: $i) { version config secretsSet } }',
        { i: { id: c.id, version: c.version, ...input } },
      );
    const wrongKind = failure(await update({ http: { url: 'http://h' } }));
    expect(wrongKind.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.http' });
    const badValue = failure(await update({ postgres: { url: 'mysql://h/db' } }));
    expect(badValue.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.postgres.url' });
    const { updateConnector } = ok(
      await update({ postgres: { url: 'postgres://u@127.0.0.1:5432/other', poolSize: 4 } }),
    );
    expect(updateConnector).toMatchObject({
      version: c.version + 1,
      config: { url: 'postgres://u@127.0.0.1:5432/other', poolSize: 4 },
      secretsSet: ['password'],
    });
    expect(await stored(c.id)).toMatchObject({
      url: 'postgres://u@127.0.0.1:5432/other',
      password: 'keepme',
    });
    // another host: the stored password was given for the old one and is not carried over
    const moved = failure(await update({ postgres: { url: 'postgres://u@127.0.0.2:5432/other' } }));
    expect(moved.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.postgres' });
    expect(moved.message).toMatch(/host changed.*give password again/);
  });

  it('tries a typed configuration with testConnector, naming bad fields under input', async () => {
    const query = 'query($i: TestConnectorInput) { testConnector(input: $i) { state reason } }';
    const up = ok(
      await t.gql<{ testConnector: { state: string } }>(tenant.key, query, {
        i: { postgres: { url: testServers.postgresUrl, connectTimeoutMs: 5_000 } },
      }),
    );
    expect(up.testConnector.state).toBe('connected');
    const bad = failure(await t.gql(tenant.key, query, { i: { redis: { url: 'http://x' } } }));
    expect(bad.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.redis.url' });
    const neither = failure(await t.gql(tenant.key, query, {}));
    expect(neither.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'kind' });
  });

  it('still takes kind and config JSON', async () => {
    const { createConnector: c } = ok(
      await createConnector(t, tenant.key, {
        name: 'json',
        kind: 'http',
        config: { url: 'http://127.0.0.1:9' },
      }),
    );
    expect(c).toMatchObject({ kind: 'http', config: { url: 'http://127.0.0.1:9' } });
  });

  it('takes the action queue bound typed, keeps it across a typed update, and names a bad value', async () => {
    const { createConnector: c } = ok(
      await createConnector(t, tenant.key, {
        name: 'bounded',
        http: { url: 'http://127.0.0.1:9' },
        queue: { maxMessages: 500, overflow: 'drop_new' },
      }),
    );
    expect(await stored(c.id)).toEqual({
      url: 'http://127.0.0.1:9',
      queue: { maxMessages: 500, overflow: 'drop_new' },
    });
    const update = (version: number, input: Record<string, unknown>) =>
      t.gql<{ updateConnector: { version: number } }>(
        tenant.key,
        'mutation($i: UpdateConnectorInput!) { updateConnector(input: $i) { version } }',
        { i: { id: c.id, version, ...input } },
      );
    const bad = failure(await update(c.version, { queue: { maxMessages: 0 } }));
    expect(bad.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.queue.maxMessages' });
    // a typed configuration replaces the driver's settings; the bound beside them stays
    const typed = ok(await update(c.version, { http: { url: 'http://127.0.0.1:10' } })).updateConnector;
    expect(await stored(c.id)).toEqual({
      url: 'http://127.0.0.1:10',
      queue: { maxMessages: 500, overflow: 'drop_new' },
    });
    // the bound alone can change
    const bound = ok(await update(typed.version, { queue: { maxBytes: 1_000_000 } })).updateConnector;
    expect(await stored(c.id)).toEqual({ url: 'http://127.0.0.1:10', queue: { maxBytes: 1_000_000 } });
    // config JSON replaces everything, the bound too
    ok(await update(bound.version, { config: { url: 'http://127.0.0.1:11' } }));
    expect(await stored(c.id)).toEqual({ url: 'http://127.0.0.1:11' });
  });
});
