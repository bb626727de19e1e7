import mqtt from 'mqtt';
import { eventually, testNamespace, testServers } from '../support';
import { AttackedSluice, refusal } from './tenancy-support';

// Finding 4 of issue 14: a tenant key restricted to `a/#` at 50 msg/s minted itself a key for `#` at
// 1,000,000 msg/s, and `properties.response_topic` was not checked against the key's topics.
// Replayed against a running Sluice publishing to the real Mosquitto.
describe('attack: a key that grows itself, and topics a publish names beside its topic', () => {
  const ns = testNamespace();
  let sluice: AttackedSluice;
  let subscriber: mqtt.MqttClient;
  const received: { topic: string; responseTopic?: string }[] = [];

  beforeAll(async () => {
    sluice = await AttackedSluice.start('keys', { SLUICE_MQTT_URL: testServers.mqttUrl });
    subscriber = await mqtt.connectAsync(testServers.mqttUrl, { protocolVersion: 5 });
    subscriber.on('message', (topic, _payload, packet) =>
      received.push({ topic, responseTopic: packet.properties?.responseTopic }),
    );
    await subscriber.subscribeAsync('#', { qos: 1 });
  });

  afterAll(async () => {
    await subscriber?.endAsync();
    await sluice?.stop();
  });

  const createKey = (key: string, publishTopics: string[], rateLimit?: number) =>
    sluice.gql<{ createApiKey: { key: string; apiKey: { publishTopics: string[]; rateLimit: number } } }>(
      key,
      'mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { key apiKey { publishTopics rateLimit } } }',
      { i: { name: 'minted', publishTopics, rateLimit } },
    );

  it('a key cannot mint a key with wider topics or a higher rate', async () => {
    const tenant = await sluice.tenant('grower', { topics: [`${ns.topicPrefix}a/#`], rateLimit: 50 });
    expect(refusal(await createKey(tenant.key, ['#'], 1_000_000))).toMatchObject({ code: 'FORBIDDEN' });
    expect(refusal(await createKey(tenant.key, [`${ns.topicPrefix}b/#`]))).toMatchObject({
      code: 'FORBIDDEN',
    });
    expect(refusal(await createKey(tenant.key, [`${ns.topicPrefix}a/#`], 51))).toMatchObject({
      code: 'FORBIDDEN',
    });
    // narrower is fine, and a rate left out is the creator's, not the (higher) default
    const narrower = await createKey(tenant.key, [`${ns.topicPrefix}a/x/+`]);
    expect(narrower.data?.createApiKey.apiKey).toEqual({
      publishTopics: [`${ns.topicPrefix}a/x/+`],
      rateLimit: 50,
    });
  });

  it('a key cannot revoke a key wider than itself; within its scope it can, and the operator can any', async () => {
    const tenant = await sluice.tenant('cutter', { topics: [`${ns.topicPrefix}a/#`], rateLimit: 50 });
    const revoke = (key: string, id: string) =>
      sluice.gql<{ revokeApiKey: { id: string; revokedAt: string | null } }>(
        key,
        'mutation($id: ID!) { revokeApiKey(id: $id) { id revokedAt } }',
        { id },
      );
    const operatorKey = async (publishTopics: string[], rateLimit?: number) =>
      (
        await sluice.data<{ createApiKey: { apiKey: { id: string } } }>(
          sluice.adminKey,
          'mutation($t: ID, $i: CreateApiKeyInput!) { createApiKey(tenantId: $t, input: $i) { apiKey { id } } }',
          { t: tenant.id, i: { name: 'wide', publishTopics, rateLimit } },
        )
      ).createApiKey.apiKey.id;
    const wider = await operatorKey(['#'], 1_000);
    const faster = await operatorKey([`${ns.topicPrefix}a/x`], 51);
    const defaultRate = await operatorKey([`${ns.topicPrefix}a/x`]); // the default rate, above 50
    for (const id of [wider, faster, defaultRate]) {
      expect(refusal(await revoke(tenant.key, id))).toMatchObject({
        code: 'FORBIDDEN',
        message: expect.stringMatching(/cannot revoke a wider key/) as string,
      });
    }
    // nothing was revoked: the operator still sees the three active
    const { apiKeys } = await sluice.data<{ apiKeys: { nodes: { id: string; revokedAt: string | null }[] } }>(
      sluice.adminKey,
      'query($t: ID) { apiKeys(tenantId: $t) { nodes { id revokedAt } } }',
      { t: tenant.id },
    );
    for (const id of [wider, faster, defaultRate])
      expect(apiKeys.nodes.find((k) => k.id === id)?.revokedAt).toBeNull();
    // within its scope: a narrower key it may revoke; the operator revokes the wider one
    const narrowerId = await operatorKey([`${ns.topicPrefix}a/x/+`], 10);
    expect((await revoke(tenant.key, narrowerId)).data?.revokeApiKey.revokedAt).not.toBeNull();
    expect((await revoke(sluice.adminKey, wider)).data?.revokeApiKey.revokedAt).not.toBeNull();
  });

  it('a publish whose response topic lies outside the key is refused and nothing is published', async () => {
    const tenant = await sluice.tenant('replier', { topics: [`${ns.topicPrefix}req/#`] });
    const publish = (body: unknown, path = 'publish') =>
      fetch(`${sluice.url}/api/v5/${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Basic ${Buffer.from(`${tenant.key}:`).toString('base64')}`,
        },
        body: JSON.stringify(body),
      });
    const hijack = { topic: `${ns.topicPrefix}req/1`, payload: 'x', qos: 1 };
    const properties = { response_topic: `${ns.topicPrefix}other-tenant/inbox` };
    expect((await publish({ ...hijack, properties })).status).toBe(403);
    const bulk = await publish([{ ...hijack, properties }], 'publish/bulk');
    const [item] = (await bulk.json()) as { status: string; error?: { code: string } }[];
    expect(item).toMatchObject({ status: 'failed', error: { code: 'PUBLISH_FORBIDDEN_TOPIC' } });
    // a reply topic inside the key's topics passes, which shows the refusals were about the reply topic
    const allowed = await publish({
      ...hijack,
      properties: { response_topic: `${ns.topicPrefix}req/reply` },
    });
    expect(allowed.status).toBe(200);
    await eventually(() =>
      expect(received.filter((m) => m.topic.endsWith(`${ns.topicPrefix}req/1`))).toEqual([
        {
          topic: expect.stringMatching(/req\/1$/) as string,
          responseTopic: expect.stringMatching(/req\/reply$/) as string,
        },
      ]),
    );
  });
});
