import { promises as dns } from 'node:dns';
import {
  InProcessBus,
  createSubjects,
  decodeDeadLetter,
  defaultBusConfig,
  encodeActionRequest,
} from '@sluice/bus';
import { createConnector, tenantTargetPolicy, type TargetResolver } from '@sluice/connectors';
import { DeliveryStage, deliveryDurable, parsePipelineDefinition, type StageLogger } from '@sluice/pipeline';
import mqtt from 'mqtt';
import { Client } from 'pg';
import {
  createConnector as createConnectorGql,
  ok,
  tenantWithKey,
} from '../../services/gateway/test/graphql-fixture';
import { startGraphqlApp } from '../../services/gateway/test/graphql-test-app';
import { eventually, HttpTarget, testServers } from '../support';

// Finding (issue 14, goal 4): a tenant's connector host was checked against the target policy when
// saved and before deliveries, but PostgreSQL, MySQL, Redis, MQTT and NATS resolved the name again
// themselves: a name that answers a public address to the check and loopback to the driver (DNS
// rebinding, zero TTL) reached the internal servers.

/**
 * A rebinding DNS server: each name answers a public address (TEST-NET-3) the first `lies` times
 * it is asked, then what the system says (loopback for `localhost`).
 */
function rebinding(lies: number): TargetResolver {
  const asked = new Map<string, number>();
  return async (host) => {
    const n = asked.get(host) ?? 0;
    asked.set(host, n + 1);
    if (n < lies) return [{ address: '203.0.113.7', family: 4 }];
    return dns.lookup(host, { all: true, verbatim: true });
  };
}

const policy = (allow: string[], resolve: TargetResolver) =>
  tenantTargetPolicy(
    { SLUICE_CONNECTOR_TARGETS_ALLOW: allow, SLUICE_CONNECTOR_TARGETS_DENY: [] },
    undefined,
    undefined,
    resolve,
  );

/** The test servers' URL with the host written as `localhost`, the name that rebinds. */
const viaName = (url: string) => url.replace('127.0.0.1', 'localhost');
const record = { id: 'rebind-1', data: { x: 1 } };

describe('a name that passes the check and resolves to loopback when the driver connects', () => {
  const kinds: [kind: string, config: () => Record<string, unknown>, action: Record<string, unknown>][] = [
    ['postgres', () => ({ url: viaName(testServers.postgresUrl) }), { sql: 'SELECT ${id}::text' }],
    ['mysql', () => ({ url: viaName(testServers.mysqlUrl) }), { sql: 'SELECT ${id}' }],
    ['redis', () => ({ url: viaName(testServers.redisUrl) }), { command: 'ECHO ${id}' }],
    ['mqtt', () => ({ url: viaName(testServers.mqttUrl) }), { topic: 'rebind/test' }],
    ['nats', () => ({ servers: viaName(testServers.natsUrl) }), { subject: 'rebind.test' }],
    ['rabbitmq', () => ({ url: viaName(testServers.amqpUrl) }), { routingKey: 'rebind-test' }],
  ];

  it.each(kinds)(
    '%s: refused at the connection, and the same connector connects when loopback is allowed',
    async (kind, config, actionConfig) => {
      const attacked = createConnector(kind, config(), { targets: policy([], rebinding(1)) });
      try {
        await attacked.start();
        expect(attacked.status()).toMatchObject({
          state: 'disconnected',
          reason: expect.stringMatching(/Target localhost:\d+ is not allowed: loopback and private/),
        });
        const [outcome] = await attacked.createAction(actionConfig).send([record]);
        expect(outcome).toMatchObject({ ok: false });
      } finally {
        await attacked.close();
      }
      // the control: the checked connection path reaches the real server when the policy allows it
      const allowed = createConnector(kind, config(), { targets: policy(['loopback'], rebinding(1)) });
      try {
        await allowed.start();
        expect(allowed.status()).toEqual({ state: 'connected' });
        expect(await allowed.createAction(actionConfig).send([record])).toEqual([{ ok: true }]);
      } finally {
        await allowed.close();
      }
    },
  );

  it('postgres: nothing is written, and the refusal is dead-letter material (not retried)', async () => {
    const admin = new Client({ connectionString: testServers.postgresUrl });
    await admin.connect();
    const table = `rebind_${process.pid}`;
    await admin.query(`CREATE TABLE IF NOT EXISTS ${table} (id text)`);
    const attacked = createConnector(
      'postgres',
      { url: viaName(testServers.postgresUrl) },
      { targets: policy([], rebinding(1)) },
    );
    try {
      const [outcome] = await attacked
        .createAction({ sql: `INSERT INTO ${table} (id) VALUES (\${id})` })
        .send([record]);
      expect(outcome).toMatchObject({ ok: false, retryable: false, code: 'CONNECTOR_TARGET_DENIED' });
      expect((await admin.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]).toEqual({ n: 0 });
    } finally {
      await attacked.close();
      await admin.query(`DROP TABLE IF EXISTS ${table}`);
      await admin.end();
    }
  });

  it('postgres: a Unix socket path in ?host= is refused (the URL names a public address, pg would reach the local server)', async () => {
    const url = new URL(testServers.postgresUrl);
    const socketUrl = `postgres://${url.username}:${url.password}@203.0.113.7${url.pathname}?host=/var/run/postgresql`;
    const attacked = createConnector(
      'postgres',
      { url: socketUrl },
      { targets: policy(['loopback'], rebinding(0)) },
    );
    try {
      const [outcome] = await attacked.createAction({ sql: 'SELECT ${id}::text' }).send([record]);
      expect(outcome).toMatchObject({ ok: false, code: 'CONNECTOR_TARGET_DENIED' });
      expect((outcome as { message: string }).message).toMatch(/Unix sockets are not allowed/);
    } finally {
      await attacked.close();
    }
  });

  it('mqtt: nothing is published on the broker', async () => {
    const watcher = await mqtt.connectAsync(testServers.mqttUrl);
    const seen: string[] = [];
    await watcher.subscribeAsync('rebind/attack');
    watcher.on('message', (topic) => seen.push(topic));
    const attacked = createConnector(
      'mqtt',
      { url: viaName(testServers.mqttUrl) },
      { targets: policy([], rebinding(1)) },
    );
    try {
      await attacked.start();
      await attacked.createAction({ topic: 'rebind/attack', qos: 0 }).send([record]);
      // a control publish through the watcher's own connection: once it arrives, the attack's would have
      await watcher.publishAsync('rebind/attack', 'control');
      await eventually(() => expect(seen).toEqual(['rebind/attack']));
    } finally {
      await attacked.close();
      await watcher.endAsync();
    }
  });
});

describe('HTTP: saved while the name was public, dead-lettered when delivery connects', () => {
  const quiet: StageLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };

  it('the gateway accepts it, delivery sends nothing to loopback', async () => {
    const target = await new HttpTarget().start();
    const url = `http://localhost:${target.port}/hook`;
    // at save time the name answers a public address (always, for the gateway's checks)
    const t = await startGraphqlApp('sqlite', { targets: policy([], rebinding(Infinity)) });
    const subjects = createSubjects('');
    const bus = new InProcessBus(defaultBusConfig(), subjects);
    await bus.start();
    // delivery's check still sees the public address once, the connection then gets loopback
    const stage = new DeliveryStage(
      bus,
      subjects,
      quiet,
      { maxAttempts: 3, baseBackoffMs: 10, maxBackoffMs: 10 },
      undefined,
      undefined,
      undefined,
      policy([], rebinding(1)),
    );
    try {
      const mallory = await tenantWithKey(t, 'mallory');
      const saved = ok(
        await createConnectorGql(t, mallory.key, { name: 'hook', kind: 'http', config: { url } }),
      );
      expect(saved.createConnector.config).toMatchObject({ url });
      await stage.load(
        parsePipelineDefinition({
          tenants: [
            {
              id: mallory.id,
              connectors: [{ id: 'hook', kind: 'http', config: { url }, configuredBy: 'tenant' }],
              rules: [{ id: 'r', sql: 'SELECT * FROM "t/#"', actions: [{ id: 'a', connector: 'hook' }] }],
            },
          ],
        }),
      );
      const letters: string[] = [];
      await bus.consume({ stream: 'DLQ', durable: 'probe', filterSubject: subjects.dlqAll() }, async (m) => {
        letters.push(decodeDeadLetter(m.data).errorCode);
        await m.ack();
      });
      await bus.consume(
        {
          stream: 'ACTIONS',
          durable: deliveryDurable(mallory.id, 'hook'),
          filterSubject: subjects.actions(mallory.id, 'hook'),
        },
        (m) => stage.handle(m),
      );
      await bus.publish(
        subjects.actions(mallory.id, 'hook'),
        encodeActionRequest({
          id: 'x1',
          tenant: mallory.id,
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
      await t.close();
      await t.dispose();
      await target.close();
    }
  });
});
