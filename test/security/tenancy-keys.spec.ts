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
