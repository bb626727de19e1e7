import mqtt from 'mqtt';
import { eventually, freePort, HttpTarget } from '../support';
import { AttackedSluice } from './tenancy-support';

// Finding 3 of issue 14: "The embedded broker has no authentication at all", so any client that
// reached it read and wrote every tenant's topics. Replayed against the embedded process (its own
// aedes broker on a free port) as an anonymous client and as hostile tenants' devices.
describe('attack: the embedded broker as an anonymous client and as another tenant', () => {
  const target = new HttpTarget();
  let sluice: AttackedSluice;
  let brokerUrl: string;
  const clients: mqtt.MqttClient[] = [];

  const connect = async (options: mqtt.IClientOptions = {}) => {
    const client = await mqtt.connectAsync(brokerUrl, {
      reconnectPeriod: 0,
      connectTimeout: 5_000,
      ...options,
    });
    clients.push(client);
    return client;
  };
  /** The CONNACK refusal code of a login, or 'connected'. */
  const tryConnect = (options: mqtt.IClientOptions) =>
    connect(options).then(
      () => 'connected',
      (error: { code?: number }) => error.code,
    );
  /** A device of a tenant: the tenant id as the username, its API key as the password. */
  const device = (tenant: { id: string; key: string }, options: mqtt.IClientOptions = {}) =>
    connect({ username: tenant.id, password: tenant.key, ...options });
  const inbox = (client: mqtt.MqttClient) => {
    const got: [string, string][] = [];
    client.on('message', (topic, payload) => got.push([topic, payload.toString()]));
    return got;
  };
  const closed = (client: mqtt.MqttClient) =>
    new Promise<void>((resolve) => (client.connected ? client.once('close', () => resolve()) : resolve()));

  beforeAll(async () => {
    await target.start();
    const port = await freePort();
    brokerUrl = `mqtt://127.0.0.1:${port}`;
    sluice = await AttackedSluice.start('embedded-broker', { SLUICE_EMBEDDED_MQTT_PORT: String(port) });
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true)));
    await sluice?.stop();
    await target.close();
  });

  it('takes anonymous clients only while no tenant exists; then refuses them and drops the connected ones', async () => {
    const early = await connect({});
    expect(early.connected).toBe(true);
    await sluice.tenant('first');
    await closed(early);
    expect(await tryConnect({})).toBe(5); // not authorized
    expect(await tryConnect({ username: 'admin', password: 'guess' })).toBe(4); // bad credentials
    expect(await tryConnect({ username: 'admin', password: sluice.adminKey })).toBe('connected');
  });

  it("keeps a tenant's device out of another tenant's topics, even with '#'", async () => {
    const attacker = await sluice.tenant('mallory', { topics: ['#'] });
    const victim = await sluice.tenant('alice', { topics: ['private/#'] });
    const operator = await connect({ username: 'admin', password: sluice.adminKey });
    const onBroker = inbox(operator);
    await operator.subscribeAsync('#', { qos: 1 });
    const spy = await device(attacker);
    const stolen = inbox(spy);
    const refused = await spy
      .subscribeAsync(['#', `${victim.id}/#`, '+/private/#', '$SYS/#', '$share/g/#'], { qos: 1 })
      .catch((error: { packet?: { granted?: number[] } }) => error.packet?.granted);
    expect(refused).toEqual([1, 1, 1, 128, 128]);
    const alice = await device(victim);
    const alicesInbox = inbox(alice);
    await alice.subscribeAsync('#', { qos: 1 });
    await alice.publishAsync('private/secret', 'of alice', { qos: 1 });
    // the attacker writes "into" the victim's namespace: it lands inside its own
    await spy.publishAsync(`${victim.id}/private/secret`, 'forged', { qos: 1 });
    await spy.publishAsync('canary', 'canary', { qos: 1 });
    await eventually(() => expect(stolen.map(([t]) => t)).toContain('canary'));
    await eventually(() => expect(alicesInbox).toContainEqual(['private/secret', 'of alice']));
    expect(stolen.some(([, payload]) => payload === 'of alice')).toBe(false);
    expect(alicesInbox.some(([, payload]) => payload === 'forged')).toBe(false);
    await eventually(() =>
      expect(onBroker).toEqual(
        expect.arrayContaining([
          [`${victim.id}/private/secret`, 'of alice'],
          [`${attacker.id}/${victim.id}/private/secret`, 'forged'],
        ]),
      ),
    );
  });

  it("holds a device to its key's publish topics and drops it when the key is revoked", async () => {
    const tenant = await sluice.tenant('limited', { topics: ['sensors/#'] });
    // the publish API's form of a key (`slk_<16 hex>` and the rest) logs in too
    const [prefix, secret] = [tenant.key.slice(0, 20), tenant.key.slice(21)];
    const outside = await connect({ username: prefix, password: secret });
    const dropped = closed(outside);
    outside.publish('actuators/valve', 'open', { qos: 1 });
    await dropped;
    expect(await tryConnect({ username: 'someone-else', password: tenant.key })).toBe(4);
    const allowed = await device(tenant);
    await allowed.publishAsync('sensors/1', 'ok', { qos: 1 });
    const { apiKeys } = await sluice.data<{ apiKeys: { nodes: { id: string }[] } }>(
      tenant.key,
      '{ apiKeys { nodes { id } } }',
    );
    const revoked = closed(allowed);
    await sluice.data(tenant.key, 'mutation($id: ID!) { revokeApiKey(id: $id) { id } }', {
      id: apiKeys.nodes[0]!.id,
    });
    await revoked;
    expect(await tryConnect({ username: tenant.id, password: tenant.key })).toBe(4);
  });

  it("still feeds a tenant's source: ingest reads the embedded broker as the operator", async () => {
    const tenant = await sluice.tenant('flowing', { topics: ['#'] });
    await sluice.data(tenant.key, 'mutation($i: CreateSourceInput!) { createSource(input: $i) { id } }', {
      i: { name: 'devices', config: { topics: [{ filter: 'sensors/#', qos: 1 }] } },
    });
    const { createConnector } = await sluice.data<{ createConnector: { id: string } }>(
      tenant.key,
      'mutation($i: CreateConnectorInput!) { createConnector(input: $i) { id } }',
      { i: { name: 'out', kind: 'http', config: { url: target.url } } },
    );
    await sluice.data(tenant.key, 'mutation($i: CreateRuleInput!) { createRule(input: $i) { id } }', {
      i: {
        name: 'all',
        sql: 'SELECT topic, payload FROM "#"',
        actions: [{ connectorId: createConnector.id, config: {} }],
      },
    });
    const sensor = await device(tenant);
    let n = 0;
    await eventually(
      async () => {
        await sensor.publishAsync('sensors/1', `reading-${++n}`, { qos: 1 });
        expect(target.jsonBodies().some((b) => b['topic'] === 'sensors/1')).toBe(true);
      },
      { timeoutMs: 20_000, intervalMs: 500 },
    );
  });
});

// Issue 14: a tenant's broker credentials could open unbounded connections to the embedded broker.
describe("attack: a tenant's key opens connection after connection on the embedded broker", () => {
  let sluice: AttackedSluice;
  let brokerUrl: string;
  const clients: mqtt.MqttClient[] = [];
  const plan = {
    maxConnectors: 1,
    maxRules: 1,
    maxActionsPerRule: 1,
    freeActionsPerMonth: 0,
    pricePerMillionUsd: 0,
  };

  beforeAll(async () => {
    const port = await freePort();
    brokerUrl = `mqtt://127.0.0.1:${port}`;
    sluice = await AttackedSluice.start('broker-quota', {
      SLUICE_EMBEDDED_MQTT_PORT: String(port),
      SLUICE_PLANS: JSON.stringify({ tiny: { ...plan, maxBrokerClients: 2 }, roomy: plan }),
      SLUICE_DEFAULT_PLAN: 'roomy',
    });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true)));
    await sluice?.stop();
  });

  const device = (tenant: { id: string; key: string }, clientId: string) =>
    mqtt
      .connectAsync(brokerUrl, {
        username: tenant.id,
        password: tenant.key,
        clientId,
        reconnectPeriod: 0,
        connectTimeout: 5_000,
      })
      .then(
        (client) => {
          clients.push(client);
          return client;
        },
        (error: { code?: number }) => error.code,
      );

  it("refuses the connection beyond its plan's maxBrokerClients (CONNACK 5, a log line), not other tenants'", async () => {
    const mallory = await sluice.tenant('mallory', { plan: 'tiny' });
    const other = await sluice.tenant('other', { plan: 'tiny' });
    const first = await device(mallory, 'm1');
    const second = await device(mallory, 'm2');
    expect(typeof first).toBe('object');
    expect(typeof second).toBe('object');
    expect(await device(mallory, 'm3')).toBe(5);
    // the cap is per tenant: another tenant's devices still connect
    expect(typeof (await device(other, 'o1'))).toBe('object');
    // a reconnect under a connected client id replaces that connection: not one more
    expect(typeof (await device(mallory, 'm2'))).toBe('object');
    await eventually(() =>
      expect(sluice.process.stdout).toMatch(
        /MQTT_QUOTA_EXCEEDED: tenant \S+ has 2 broker clients connected, its plan allows 2/,
      ),
    );
    // one leaves: there is room again
    await (first as mqtt.MqttClient).endAsync();
    await eventually(async () => expect(typeof (await device(mallory, 'm4'))).toBe('object'));
  });
});
