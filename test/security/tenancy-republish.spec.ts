import mqtt from 'mqtt';
import { eventually, testServers } from '../support';
import { AttackedSluice, refusal } from './tenancy-support';

// Finding 4 of issue 14: "an MQTT republish connector on the shared broker publishes anywhere".
// Replayed against a running Sluice on the real Mosquitto (the operator's broker): a tenant's
// republish lands under its own namespace only, and naming the operator's broker by address (to
// publish there outside the namespace) is refused.
describe("attack: republishing into other tenants' topics on the operator's broker", () => {
  let sluice: AttackedSluice;
  let observer: mqtt.MqttClient;
  const onBroker: [string, string][] = [];

  beforeAll(async () => {
    sluice = await AttackedSluice.start('republish', { SLUICE_MQTT_URL: testServers.mqttUrl });
    observer = await mqtt.connectAsync(testServers.mqttUrl, { protocolVersion: 5 });
    observer.on('message', (topic, payload) => onBroker.push([topic, payload.toString()]));
  });

  afterAll(async () => {
    await observer?.endAsync();
    await sluice?.stop();
  });

  const createConnector = (key: string, config: Record<string, unknown>, name: string) =>
    sluice.gql<{ createConnector: { id: string } }>(
      key,
      'mutation($i: CreateConnectorInput!) { createConnector(input: $i) { id } }',
      { i: { name, kind: 'mqtt', config } },
    );

  it("lands a tenant's republish under its own mountpoint, whatever topic its rule renders", async () => {
    const attacker = await sluice.tenant('republisher');
    const victim = await sluice.tenant('target');
    await observer.subscribeAsync([`${attacker.id}/#`, `${victim.id}/#`, 'out/#', 'victim/#'], { qos: 1 });
    await sluice.data(attacker.key, 'mutation($i: CreateSourceInput!) { createSource(input: $i) { id } }', {
      i: { name: 'in', config: { topics: [{ filter: 'in/#', qos: 1 }] } },
    });
    // no url: the operator's broker, with Sluice's login, in the tenant's namespace
    const created = await createConnector(attacker.key, {}, 'shared');
    expect(created.errors).toBeUndefined();
    await sluice.data(attacker.key, 'mutation($i: CreateRuleInput!) { createRule(input: $i) { id } }', {
      i: {
        name: 'forward',
        sql: 'SELECT payload.to as to, payload.n as n FROM "in/#"',
        // the rule picks the topic from the message: the victim's namespace, or the bare topic
        actions: [
          { connectorId: created.data!.createConnector.id, config: { topic: '${to}', payload: '${n}' } },
        ],
      },
    });
    const device = await mqtt.connectAsync(testServers.mqttUrl, { protocolVersion: 5 });
    try {
      let n = 0;
      await eventually(
        async () => {
          n++;
          await device.publishAsync(
            `${attacker.id}/in/1`,
            JSON.stringify({ to: `${victim.id}/private/x`, n: `forged-${n}` }),
            { qos: 1 },
          );
          await device.publishAsync(
            `${attacker.id}/in/2`,
            JSON.stringify({ to: 'out/plain', n: `plain-${n}` }),
            {
              qos: 1,
            },
          );
          expect(onBroker.map(([t]) => t)).toContain(`${attacker.id}/out/plain`);
        },
        { timeoutMs: 20_000, intervalMs: 500 },
      );
    } finally {
      await device.endAsync();
    }
    await eventually(() =>
      expect(onBroker.map(([t]) => t)).toContain(`${attacker.id}/${victim.id}/private/x`),
    );
    // nothing outside the attacker's namespace: not the victim's, not the bare topic
    for (const [topic] of onBroker) expect(topic.startsWith(`${attacker.id}/`)).toBe(true);
  });

  it("refuses a tenant's connector that names the operator's broker by address, or sets what Sluice sets", async () => {
    const attacker = await sluice.tenant('escaper');
    const port = new URL(testServers.mqttUrl).port || '1883';
    // the test process allows loopback targets: only the reservation of the operator's broker refuses these
    for (const url of [testServers.mqttUrl, `mqtt://localhost:${port}`, `mqtt://[::1]:${port}`]) {
      const answer = refusal(await createConnector(attacker.key, { url }, `escape-${url.length}`));
      expect(answer.code).toBe('FORBIDDEN');
      expect(answer.message).toMatch(/operator's broker/);
    }
    for (const [config, field] of [
      [{ mountpoint: 'other/' }, 'mountpoint'],
      [{ username: 'admin', password: 'guess' }, 'username'],
      [{ clientId: 'sluice-ingest-0' }, 'clientId'],
    ] as const) {
      const answer = refusal(await createConnector(attacker.key, config, `managed-${field}`));
      expect(answer.code).toBe('BAD_USER_INPUT');
      expect(answer.field).toBe(`input.config.${field}`);
    }
  });

  it('takes the typed MQTT input without url, and testConnector tests the operator broker for it', async () => {
    const tenant = await sluice.tenant('typed');
    const created = await sluice.gql<{ createConnector: { id: string; config: Record<string, unknown> } }>(
      tenant.key,
      'mutation($i: CreateConnectorInput!) { createConnector(input: $i) { id config } }',
      { i: { name: 'typed', mqtt: { poolSize: 1 } } },
    );
    expect(created.errors).toBeUndefined();
    expect(created.data!.createConnector.config).toEqual({ poolSize: 1 });
    const TEST = 'query($i: TestConnectorInput) { testConnector(input: $i) { state reason } }';
    const tested = await sluice.data<{ testConnector: unknown }>(tenant.key, TEST, { i: { mqtt: {} } });
    expect(tested.testConnector).toEqual({ state: 'connected', reason: null });
    // what Sluice sets stays refused from a tenant's key in a test too
    const managed = refusal(
      await sluice.gql(tenant.key, TEST, { i: { mqtt: { clientId: 'sluice-ingest-0' } } }),
    );
    expect(managed.code).toBe('BAD_USER_INPUT');
  });
});
