import mqtt from 'mqtt';
import { eventually, HttpTarget, testServers } from '../support';
import { AttackedSluice } from './tenancy-support';

// Finding 3 of issue 14: all tenants shared the broker with no topic namespace, so tenant A's source
// on `#` with a rule on B's topics forwarded B's private messages to A's endpoint. Replayed against a
// running Sluice on the real Mosquitto: each tenant now lives under its mountpoint (`<tenant id>/`).
describe("attack: reading another tenant's topics on the shared broker", () => {
  const target = new HttpTarget();
  let sluice: AttackedSluice;
  let observer: mqtt.MqttClient;
  const onBroker: string[] = [];

  beforeAll(async () => {
    await target.start();
    sluice = await AttackedSluice.start('namespaces', { SLUICE_MQTT_URL: testServers.mqttUrl });
    observer = await mqtt.connectAsync(testServers.mqttUrl, { protocolVersion: 5 });
    observer.on('message', (topic) => onBroker.push(topic));
  });

  afterAll(async () => {
    await observer?.endAsync();
    await sluice?.stop();
    await target.close();
  });

  const publish = (key: string, topic: string, payload: string) =>
    fetch(`${sluice.url}/api/v5/publish`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}`,
      },
      body: JSON.stringify({ topic, payload, qos: 1 }),
    });

  it("a source on # with a rule on every topic sees only its own tenant's messages, in its own view", async () => {
    const attacker = await sluice.tenant('eavesdropper', { topics: ['canary'] });
    const victim = await sluice.tenant('victim', { topics: ['private/#'] });
    // the namespaces, and the topics as the keys named them (where they went before)
    await observer.subscribeAsync([`${attacker.id}/#`, `${victim.id}/#`, 'private/#', 'canary'], { qos: 1 });
    await sluice.data(attacker.key, 'mutation($i: CreateSourceInput!) { createSource(input: $i) { id } }', {
      i: { name: 'everything', config: { topics: [{ filter: '#', qos: 1 }] } },
    });
    const { createConnector } = await sluice.data<{ createConnector: { id: string } }>(
      attacker.key,
      'mutation($i: CreateConnectorInput!) { createConnector(input: $i) { id } }',
      { i: { name: 'loot', kind: 'http', config: { url: target.url } } },
    );
    await sluice.data(attacker.key, 'mutation($i: CreateRuleInput!) { createRule(input: $i) { id } }', {
      i: {
        name: 'steal',
        sql: 'SELECT topic, payload FROM "#"',
        actions: [{ connectorId: createConnector.id, config: {} }],
      },
    });
    const victimDevice = await mqtt.connectAsync(testServers.mqttUrl, { protocolVersion: 5 });
    try {
      // the victim publishes through the API and, as its devices do, straight into its namespace
      let n = 0;
      await eventually(
        async () => {
          n++;
          expect((await publish(victim.key, 'private/secret', `api-${n}`)).status).toBe(200);
          await victimDevice.publishAsync(`${victim.id}/private/raw`, `device-${n}`, { qos: 1 });
          // the attacker's own message, published after the victim's: once it arrives, the
          // victim's would have too, had the source seen them
          expect((await publish(attacker.key, 'canary', `canary-${n}`)).status).toBe(200);
          expect(target.jsonBodies().some((b) => b['topic'] === 'canary')).toBe(true);
        },
        { timeoutMs: 20_000, intervalMs: 500 },
      );
    } finally {
      await victimDevice.endAsync();
    }
    const topics = target.jsonBodies().map((b) => b['topic']);
    // the rule saw the attacker's own view (the mountpoint taken off), and nothing of the victim's
    expect(new Set(topics)).toEqual(new Set(['canary']));
    expect(JSON.stringify(target.jsonBodies())).not.toMatch(/api-|device-/);
    // on the broker, each key published inside its own tenant's namespace
    await eventually(() => {
      expect(onBroker).toContain(`${attacker.id}/canary`);
      expect(onBroker).toContain(`${victim.id}/private/secret`);
    });
    expect(onBroker.filter((t) => t === 'private/secret' || t === 'canary')).toEqual([]);
  });
});
