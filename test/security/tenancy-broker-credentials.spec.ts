import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import { clientIdPrefix } from '@sluice/pipeline';
import { eventually, freePort, testServers } from '../support';
import { AttackedSluice, refusal } from './tenancy-support';

// Finding 1 of issue 14: a tenant source that named only `url` made ingest log in to the tenant's
// host with the operator's broker credentials, and a tenant could set the client id (kicking another
// tenant's ingest off the broker), the share group and the session. Replayed against a running
// Sluice whose operator broker is the real Mosquitto, with a broker of the "tenant" that records
// every CONNECT.
describe('attack: operator broker credentials and client ids through a tenant source', () => {
  const operatorPassword = `operator-secret-${Math.random().toString(36).slice(2)}`;
  const connects: { clientId: string; username?: string; password?: string }[] = [];
  let sluice: AttackedSluice;
  let captureBroker: Aedes;
  let captureServer: Server;
  let capturePort: number;

  beforeAll(async () => {
    captureBroker = await Aedes.createBroker();
    captureBroker.authenticate = (client, username, password, done) => {
      connects.push({ clientId: client.id, username, password: password?.toString() });
      done(null, true);
    };
    capturePort = await freePort();
    captureServer = createServer((socket) => captureBroker.handle(socket));
    await new Promise<void>((resolve) => captureServer.listen(capturePort, '127.0.0.1', resolve));
    sluice = await AttackedSluice.start('credentials', {
      SLUICE_MQTT_URL: testServers.mqttUrl,
      SLUICE_MQTT_USERNAME: 'sluice-operator',
      SLUICE_MQTT_PASSWORD: operatorPassword,
    });
  });

  afterAll(async () => {
    await sluice?.stop();
    await new Promise<void>((resolve) => captureServer?.close(() => resolve()));
    captureBroker?.close();
  });

  it("never sends the operator's credentials to a broker the tenant chose", async () => {
    const attacker = await sluice.tenant('credential-thief');
    const answer = await sluice.createSource(attacker.key, {
      url: `mqtt://127.0.0.1:${capturePort}`,
      // why 4: the recording broker (aedes) speaks MQTT 3.1.1
      protocolVersion: 4,
      topics: [{ filter: 'loot/#', qos: 1 }],
    });
    expect(answer.errors).toBeUndefined();
    // ingest connects to the tenant's broker: what did it present?
    await eventually(() => expect(connects).not.toHaveLength(0), { timeoutMs: 20_000 });
    for (const connect of connects) {
      expect(connect.password).not.toBe(operatorPassword);
      expect(connect.username).not.toBe('sluice-operator');
    }
    // the client id is Sluice's, derived from the tenant and source ids
    expect(connects[0]!.clientId).toBe(
      `${clientIdPrefix('sluice-ingest', attacker.id, answer.data!.createSource.id)}-0`,
    );
  });

  it("refuses a client id, share group or session a tenant picks (another tenant's would collide)", async () => {
    const victim = await sluice.tenant('victim');
    const { createSource } = await sluice.data<{ createSource: { id: string } }>(
      victim.key,
      'mutation($i: CreateSourceInput!) { createSource(input: $i) { id } }',
      { i: { name: 'plant', config: { topics: [{ filter: 'plant/#', qos: 1 }] } } },
    );
    const victimClientId = clientIdPrefix('sluice-ingest', victim.id, createSource.id);
    const attacker = await sluice.tenant('session-thief');
    const topics = [{ filter: 'plant/#', qos: 1 }];
    for (const [field, value] of [
      ['clientIdPrefix', victimClientId],
      ['shareGroup', 'sluice'],
      ['clean', true],
      ['sessionExpiryInterval', 1],
    ] as const) {
      const answer = await sluice.createSource(attacker.key, { topics, [field]: value });
      expect(refusal(answer)).toMatchObject({ code: 'BAD_USER_INPUT', field: `input.config.${field}` });
    }
    // nor may it log in to the shared broker with credentials of its own choosing
    const withCredentials = await sluice.createSource(attacker.key, { topics, username: 'sluice-operator' });
    expect(refusal(withCredentials)).toMatchObject({ field: 'input.config.username' });
  });

  it('refuses a source the services could not run, instead of freezing the tenant', async () => {
    const tenant = await sluice.tenant('sloppy');
    // accepted by the loose pipeline schema before, refused by ingest's MQTT parser
    for (const [config, field] of [
      [{ topics: [{ filter: 'a/#/b', qos: 1 }] }, 'input.config.topics.0.filter'],
      [{ topics: [{ filter: 'a/#', qos: 1 }], keepalive: 0 }, 'input.config.keepalive'],
      [{ topics: [{ filter: 'a/#', qos: 1 }], url: 'http://not-mqtt:80' }, 'input.config.url'],
      [{ topics: [{ filter: 'a/#', qos: 1 }], noSuchOption: 1 }, 'input.config'],
    ] as const) {
      expect(refusal(await sluice.createSource(tenant.key, config))).toMatchObject({
        code: 'BAD_USER_INPUT',
        field,
      });
    }
  });
});
