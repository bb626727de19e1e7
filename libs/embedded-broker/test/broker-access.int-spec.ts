import mqtt from 'mqtt';
import {
  startEmbeddedBroker,
  type BrokerAuthenticator,
  type BrokerPrincipal,
  type BrokerRefusal,
  type EmbeddedBroker,
} from '@sluice/embedded-broker';
import { eventually, freePort } from '../../../test/support';

const OPERATOR = { username: 'operator', password: 'operator-secret' };

/** Keys `<tenant>:<secret>`; a tenant's key publishes only under `allowed/`. Revocable. */
class TestKeys implements BrokerAuthenticator {
  readonly revoked = new Set<string>();
  anonymous = false;

  authenticate(username: string | undefined, password: string | undefined): Promise<BrokerPrincipal | null> {
    if (username === undefined) {
      return Promise.resolve(this.anonymous ? { name: 'anonymous', tenant: null } : null);
    }
    if (password !== `${username}-secret` || this.revoked.has(username)) return Promise.resolve(null);
    return Promise.resolve({
      name: `key ${username}`,
      tenant: { id: username, mountpoint: `${username}/`, mayPublish: (t) => t.startsWith('allowed/') },
    });
  }

  stillValid(principal: BrokerPrincipal): Promise<boolean> {
    if (principal.tenant === null) return Promise.resolve(this.anonymous);
    return Promise.resolve(!this.revoked.has(principal.tenant.id));
  }
}

describe('embedded broker access control', () => {
  let broker: EmbeddedBroker;
  const keys = new TestKeys();
  const refusals: BrokerRefusal[] = [];
  const clients: mqtt.MqttClient[] = [];

  const connect = async (options: mqtt.IClientOptions = {}) => {
    const client = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0, ...options });
    clients.push(client);
    return client;
  };
  const tenant = (id: string, options: mqtt.IClientOptions = {}) =>
    connect({ username: id, password: `${id}-secret`, ...options });
  const inbox = (client: mqtt.MqttClient) => {
    const got: [string, string][] = [];
    client.on('message', (topic, payload) => got.push([topic, payload.toString()]));
    return got;
  };
  /** Why the refusal of a connect (the CONNACK's code), or 'connected'. */
  const tryConnect = (options: mqtt.IClientOptions) =>
    mqtt.connectAsync(broker.url, { reconnectPeriod: 0, connectTimeout: 5_000, ...options }).then(
      async (client) => {
        await client.endAsync();
        return 'connected';
      },
      (error: { code?: number }) => error.code,
    );

  beforeAll(async () => {
    broker = await startEmbeddedBroker({
      port: await freePort(),
      access: { operator: OPERATOR, recheckMs: 200, onRefused: (r) => refusals.push(r) },
    });
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
  });

  afterAll(async () => {
    await broker.close();
  });

  it('takes only the operator until an authenticator is set, then what it accepts', async () => {
    expect(await tryConnect({ username: 'acme', password: 'acme-secret' })).toBe(3); // server unavailable
    expect(await tryConnect(OPERATOR)).toBe('connected');
    broker.useAuthenticator(keys);
    expect(await tryConnect({})).toBe(5); // not authorized: anonymous
    expect(await tryConnect({ username: 'acme', password: 'wrong' })).toBe(4); // bad credentials
    expect(await tryConnect({ username: OPERATOR.username, password: 'wrong' })).toBe(4);
    expect(await tryConnect({ username: 'acme', password: 'acme-secret' })).toBe('connected');
    expect(refusals.map((r) => r.code)).toContain('MQTT_NOT_AUTHORIZED');
    expect(JSON.stringify(refusals)).not.toContain('wrong');
  });

  it("confines a tenant to its namespace: its '#' sees only its own topics, in its own view", async () => {
    const operator = await connect(OPERATOR);
    const everything = inbox(operator);
    await operator.subscribeAsync('#', { qos: 1 });
    const a = await tenant('a');
    const aGot = inbox(a);
    await a.subscribeAsync('#', { qos: 1 });
    const b = await tenant('b');
    await b.publishAsync('allowed/secret', 'of b', { qos: 1 });
    await operator.publishAsync('allowed/x', 'outside every namespace', { qos: 1 });
    await a.publishAsync('allowed/mine', 'of a', { qos: 1 });
    await eventually(() => expect(aGot).toEqual([['allowed/mine', 'of a']]));
    // on the broker, each publish landed in its tenant's namespace
    await eventually(() =>
      expect(everything).toEqual(
        expect.arrayContaining([
          ['b/allowed/secret', 'of b'],
          ['a/allowed/mine', 'of a'],
        ]),
      ),
    );
    // a filter naming another namespace stays inside its own
    await a.subscribeAsync('b/#', { qos: 1 });
    await b.publishAsync('allowed/again', 'of b', { qos: 1 });
    await a.publishAsync('allowed/canary', 'canary', { qos: 1 });
    await eventually(() => expect(aGot.map(([t]) => t)).toContain('allowed/canary'));
    expect(aGot.some(([, p]) => p === 'of b')).toBe(false);
  });

  it('refuses $ topics and shared subscriptions to a tenant (SUBACK 128)', async () => {
    const a = await tenant('a');
    const refused = await a
      .subscribeAsync(['$SYS/#', '$share/g/#', 'ok/#'], { qos: 1 })
      .catch((error: { packet?: { granted?: number[] } }) => error.packet?.granted);
    expect(refused).toEqual([128, 128, 1]);
  });

  it("disconnects a tenant that publishes outside its key's topics, and nothing is delivered", async () => {
    const operator = await connect(OPERATOR);
    const everything = inbox(operator);
    await operator.subscribeAsync('#', { qos: 1 });
    const a = await tenant('a');
    const closed = new Promise<void>((resolve) => a.once('close', () => resolve()));
    a.publish('forbidden/x', 'nope', { qos: 1 });
    await closed;
    await operator.publishAsync('probe', 'after', { qos: 1 });
    await eventually(() => expect(everything.map(([t]) => t)).toContain('probe'));
    expect(everything.some(([t]) => t.includes('forbidden'))).toBe(false);
    expect(refusals.some((r) => r.code === 'MQTT_TOPIC_FORBIDDEN' && r.principal === 'key a')).toBe(true);
  });

  it("cannot take over the operator's session by using its client id", async () => {
    const operator = await connect({ ...OPERATOR, clientId: 'sluice-ingest-0' });
    const got = inbox(operator);
    await operator.subscribeAsync('#', { qos: 1 });
    await tenant('a', { clientId: 'sluice-ingest-0' });
    await operator.publishAsync('still', 'here', { qos: 1 });
    await eventually(() => expect(got.map(([t]) => t)).toContain('still'));
    expect(operator.connected).toBe(true);
  });

  it("publishes a tenant's will inside its namespace", async () => {
    const operator = await connect(OPERATOR);
    const everything = inbox(operator);
    await operator.subscribeAsync('#', { qos: 1 });
    const a = await tenant('a', {
      will: { topic: 'allowed/will', payload: Buffer.from('gone'), qos: 1, retain: false },
    });
    (a.stream as { destroy(): void }).destroy(); // an unexpected loss sends the will
    await eventually(() => expect(everything).toContainEqual(['a/allowed/will', 'gone']));
  });

  it('unsubscribes a tenant in its own view, and resumes a persistent session mounted once', async () => {
    const operator = await connect(OPERATOR);
    const a = await tenant('a', { clientId: 'device-1', clean: false });
    const aGot = inbox(a);
    await a.subscribeAsync(['x/#', 'y/#'], { qos: 1 });
    await a.unsubscribeAsync('x/#');
    await operator.publishAsync('a/x/1', 'unsubscribed', { qos: 1 });
    await operator.publishAsync('a/y/1', 'kept', { qos: 1 });
    await eventually(() => expect(aGot).toEqual([['y/1', 'kept']]));
    await a.endAsync();
    const resumed = await tenant('a', { clientId: 'device-1', clean: false });
    const resumedGot = inbox(resumed);
    await operator.publishAsync('a/y/2', 'after resume', { qos: 1 });
    await operator.publishAsync('a/x/2', 'still unsubscribed', { qos: 1 });
    await eventually(() => expect(resumedGot).toEqual([['y/2', 'after resume']]));
  });

  it('disconnects the clients of a revoked key, and anonymous ones once anonymous is no longer allowed', async () => {
    keys.anonymous = true;
    const anonymous = await connect({});
    const c = await tenant('c');
    const anonymousClosed = new Promise<void>((resolve) => anonymous.once('close', () => resolve()));
    const cClosed = new Promise<void>((resolve) => c.once('close', () => resolve()));
    keys.revoked.add('c');
    keys.anonymous = false;
    await Promise.all([cClosed, anonymousClosed]);
    expect(await tryConnect({ username: 'c', password: 'c-secret' })).toBe(4);
    expect(
      refusals
        .filter((r) => r.code === 'MQTT_LOGIN_REVOKED')
        .map((r) => r.principal)
        .sort(),
    ).toEqual(['anonymous', 'key c']);
  });
});
