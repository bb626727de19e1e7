import mqtt, { type IPublishPacket, type MqttClient } from 'mqtt';
import { createConnector, type Connector } from '@sluice/connectors';
import { startEmbeddedBroker, type EmbeddedBroker } from '@sluice/embedded-broker';
import { eventually, freePort, testNamespace, testServers } from '../../../test/support';

const ns = testNamespace();

describe('mqtt connector', () => {
  let sub: MqttClient;
  let connector: Connector;
  const received: IPublishPacket[] = [];

  beforeAll(async () => {
    sub = await mqtt.connectAsync(testServers.mqttUrl, { protocolVersion: 5 });
    sub.on('message', (_topic, _payload, packet) => received.push(packet));
    await sub.subscribeAsync(`${ns.topicPrefix}out/#`, { qos: 1 });
    connector = createConnector('mqtt', { url: testServers.mqttUrl, poolSize: 2 });
    await connector.start();
  });

  afterAll(async () => {
    await connector.close();
    await sub.endAsync();
  });

  beforeEach(() => {
    received.length = 0;
  });

  it('republishes a batch at QoS 1 with topic, payload and user property templates', async () => {
    expect(connector.status()).toEqual({ state: 'connected' });
    const action = connector.createAction({
      topic: `${ns.topicPrefix}out/\${clientid}`,
      payload: '{"t":${payload.temp}}',
      userProperties: { from: '${topic}' },
    });
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const outcomes = await action.send([
      { id: 'm1', data: { clientid: 'c1', topic: 'in/1', payload: '{"temp":20}' }, headers: { traceparent } },
      { id: 'm2', data: { clientid: 'c2', topic: 'in/2', payload: { temp: 21 } } },
    ]);
    expect(outcomes).toEqual([{ ok: true }, { ok: true }]);
    await eventually(() => expect(received).toHaveLength(2));
    const byTopic = new Map(received.map((p) => [p.topic, p]));
    const first = byTopic.get(`${ns.topicPrefix}out/c1`)!;
    expect(first.payload.toString()).toBe('{"t":20}');
    expect(first.qos).toBe(1);
    expect(first.properties?.userProperties).toEqual({ traceparent, from: 'in/1' });
    expect(byTopic.get(`${ns.topicPrefix}out/c2`)!.payload.toString()).toBe('{"t":21}');
  });

  it('sends the whole rule output as JSON by default and renders a missing value empty', async () => {
    const action = connector.createAction({ topic: `${ns.topicPrefix}out/x\${nope}` });
    const data = { a: 1, payload: 'p' };
    expect(await action.send([{ id: 'd', data }])).toEqual([{ ok: true }]);
    await eventually(() => expect(received).toHaveLength(1));
    expect(received[0]!.topic).toBe(`${ns.topicPrefix}out/x`);
    expect(JSON.parse(received[0]!.payload.toString())).toEqual(data);
  });

  it('publishes retained messages that a later subscriber still gets', async () => {
    const topic = `${ns.topicPrefix}retained`;
    const action = connector.createAction({ topic, payload: '${payload}', retain: true, qos: 0 });
    expect(await action.send([{ id: 'r', data: { payload: 'kept' } }])).toEqual([{ ok: true }]);
    const late = await mqtt.connectAsync(testServers.mqttUrl);
    try {
      const got = new Promise<[string, boolean]>((resolve) =>
        late.on('message', (_t, payload, packet) => resolve([payload.toString(), packet.retain])),
      );
      await late.subscribeAsync(topic, { qos: 1 });
      expect(await got).toEqual(['kept', true]);
    } finally {
      await late.endAsync();
      // an empty retained message clears it
      await connector.createAction({ topic, payload: '', retain: true }).send([{ id: 'c', data: {} }]);
    }
  });

  it('fails a record whose topic renders empty or with a wildcard for good, the rest go out', async () => {
    const action = connector.createAction({ topic: `\${t}` });
    const outcomes = await action.send([
      { id: '1', data: {} },
      { id: '2', data: { t: `${ns.topicPrefix}out/+` } },
      { id: '3', data: { t: `${ns.topicPrefix}out/ok` } },
    ]);
    expect(outcomes[0]).toMatchObject({ ok: false, retryable: false, code: 'DELIVERY_FAILED' });
    expect(outcomes[1]).toMatchObject({ ok: false, retryable: false });
    expect(outcomes[2]).toEqual({ ok: true });
    await eventually(() => expect(received.map((p) => p.topic)).toEqual([`${ns.topicPrefix}out/ok`]));
  });

  it('reports a broker that is down: disconnected with the reason, retryable outcomes', async () => {
    const down = createConnector('mqtt', {
      url: `mqtt://127.0.0.1:${await freePort()}`,
      reconnectPeriodMs: 60_000,
    });
    try {
      await down.start();
      expect(down.status()).toMatchObject({
        state: 'disconnected',
        reason: expect.stringContaining('ECONNREFUSED'),
      });
      const [outcome] = await down.createAction({ topic: 'a' }).send([{ id: '1', data: {} }]);
      expect(outcome).toMatchObject({ ok: false, retryable: true, code: 'CONNECTOR_UNAVAILABLE' });
    } finally {
      await down.close();
    }
  });

  it('names the field of a bad config or template', () => {
    expect(() => createConnector('mqtt', { url: 'http://x' })).toThrow(
      expect.objectContaining({ code: 'CONNECTOR_CONFIG_INVALID', field: 'url' }),
    );
    expect(() => connector.createAction({ topic: 'a', qos: 3 })).toThrow(
      expect.objectContaining({ field: 'qos' }),
    );
    expect(() => connector.createAction({ topic: 'a/${b' })).toThrow(
      expect.objectContaining({ code: 'CONNECTOR_CONFIG_INVALID', field: 'topic' }),
    );
    expect(() => connector.createAction({ topic: 'a', userProperties: { p: '${}' } })).toThrow(
      expect.objectContaining({ field: 'userProperties.p' }),
    );
  });
});

// The embedded broker (aedes) speaks MQTT 3.1.1 only and refuses an MQTT 5 CONNECT.
describe('mqtt connector against a 3.1.1-only broker', () => {
  let broker: EmbeddedBroker;
  beforeAll(async () => {
    broker = await startEmbeddedBroker({ port: 0 });
  });
  afterAll(async () => {
    await broker?.close();
  });

  it('falls back to 3.1.1 when no protocolVersion is configured, and republishes', async () => {
    const sub = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
    const connector = createConnector('mqtt', { url: broker.url });
    try {
      const received: string[] = [];
      sub.on('message', (_topic, payload) => received.push(payload.toString()));
      await sub.subscribeAsync(`${ns.topicPrefix}v311/#`, { qos: 1 });
      await connector.start();
      expect(connector.status()).toEqual({ state: 'connected' });
      const action = connector.createAction({
        topic: `${ns.topicPrefix}v311/out`,
        payload: '${payload}',
        userProperties: { dropped: 'on 3.1.1' },
      });
      expect(await action.send([{ id: 'm1', data: { payload: 'hello' } }])).toEqual([{ ok: true }]);
      await eventually(() => expect(received).toEqual(['hello']));
    } finally {
      await connector.close();
      await sub.endAsync();
    }
  });

  it('keeps a configured protocolVersion 5 and reports the refusal', async () => {
    const connector = createConnector('mqtt', {
      url: broker.url,
      protocolVersion: 5,
      reconnectPeriodMs: 60_000,
    });
    try {
      await connector.start();
      expect(connector.status()).toMatchObject({
        state: 'disconnected',
        reason: expect.stringContaining('Unacceptable protocol version'),
      });
    } finally {
      await connector.close();
    }
  });
});
