import type { MqttClient } from 'mqtt';
import { createMqttSource, type MqttSource } from '../src/mqtt/mqtt-source';
import { eventually, testNamespace, testServers } from '../../../test/support';
import { EventLog, RecordingSink, connectPublisher, forgetSessions, numbered } from './source-test-kit';

const ns = testNamespace();
const url = testServers.mqttUrl;

describe('MQTT source against Mosquitto', () => {
  const sources: MqttSource[] = [];
  const clientIds: string[] = [];
  let publisher: MqttClient;

  beforeAll(async () => {
    publisher = await connectPublisher(url);
  });

  afterEach(async () => {
    await Promise.all(sources.splice(0).map((s) => s.stop()));
  });

  afterAll(async () => {
    await publisher.endAsync();
    await forgetSessions(url, clientIds);
  });

  function source(
    name: string,
    sink: RecordingSink,
    overrides: Record<string, unknown> = {},
    events = new EventLog(),
  ): MqttSource {
    const prefix = `${ns.id}-${name}`;
    const connections = typeof overrides['connections'] === 'number' ? overrides['connections'] : 1;
    for (let n = 0; n < connections; n += 1) clientIds.push(`${prefix}-${n}`);
    const created = createMqttSource(
      {
        id: name,
        tenant: 't1',
        url,
        clientIdPrefix: prefix,
        topics: [{ filter: `${ns.topicPrefix}${name}/#`, qos: 2 }],
        ...overrides,
      },
      sink.sink,
      { onEvent: events.onEvent },
    );
    sources.push(created);
    return created;
  }

  it('hands QoS 0, 1 and 2 messages to the sink with topic, payload, qos and MQTT 5 properties', async () => {
    const sink = new RecordingSink();
    const s = source('qos', sink, { userPropertyFields: { clientid: 'device', username: 'owner' } });
    await s.start();
    expect(s.status()).toEqual({ state: 'connected', connections: 1 });
    const topic = `${ns.topicPrefix}qos/d1`;
    await publisher.publishAsync(topic, 'zero', { qos: 0 });
    await publisher.publishAsync(topic, 'one', { qos: 1 });
    await publisher.publishAsync(topic, 'two', {
      qos: 2,
      properties: {
        payloadFormatIndicator: true,
        messageExpiryInterval: 120,
        contentType: 'application/json',
        responseTopic: 'reply/here',
        correlationData: Buffer.from([1, 2, 3]),
        userProperties: { device: 'dev-7', owner: 'alice', extra: ['a', 'b'] },
      },
    });
    await eventually(() => expect(sink.payloads().sort()).toEqual(['one', 'two', 'zero']));
    const byPayload = new Map(sink.stored.map((m) => [m.payload.toString(), m]));
    expect(byPayload.get('zero')).toMatchObject({ topic, qos: 0, retain: false, dup: false });
    expect(byPayload.get('one')).toMatchObject({ topic, qos: 1 });
    const two = byPayload.get('two')!;
    expect(two).toMatchObject({ topic, qos: 2, clientid: 'dev-7', username: 'alice' });
    expect(two.properties).toEqual({
      payloadFormatIndicator: true,
      messageExpiryInterval: expect.any(Number),
      contentType: 'application/json',
      responseTopic: 'reply/here',
      correlationData: Buffer.from([1, 2, 3]),
      userProperties: [
        ['device', 'dev-7'],
        ['owner', 'alice'],
        ['extra', 'a'],
        ['extra', 'b'],
      ],
    });
    expect(two.properties!.messageExpiryInterval).toBeLessThanOrEqual(120);
    expect(new Set(sink.stored.map((m) => m.id)).size).toBe(3);
    await eventually(() =>
      expect(s.metrics()).toMatchObject({
        received: 3,
        stored: 3,
        acked: 2, // one PUBACK (QoS 1) and one PUBREC (QoS 2); QoS 0 has none
        dropped: 0,
        inFlight: 0,
        byQos: {
          0: { received: 1, stored: 1 },
          1: { received: 1, stored: 1 },
          2: { received: 1, stored: 1 },
        },
      }),
    );
  });

  it.each([
    [4, 'MQTT 3.1.1'],
    [3, 'MQTT 3.1'],
  ] as const)('works with protocolVersion %i (%s)', async (protocolVersion, _label) => {
    const sink = new RecordingSink();
    const name = `v${protocolVersion}`;
    const s = source(name, sink, { protocolVersion });
    await s.start();
    for (const payload of numbered(20))
      await publisher.publishAsync(`${ns.topicPrefix}${name}/x`, payload, { qos: 1 });
    await eventually(() => expect(sink.payloads()).toEqual(numbered(20)));
    await eventually(() => expect(s.metrics().acked).toBe(20));
    expect(sink.stored[0]!.properties).toBeUndefined();
  });

  it('takes clientid and username from the topic with topicPattern', async () => {
    const sink = new RecordingSink();
    const s = source('pattern', sink, { topicPattern: `${ns.topicPrefix}pattern/{username}/{clientid}/#` });
    await s.start();
    await publisher.publishAsync(`${ns.topicPrefix}pattern/bob/sensor-9/telemetry/temp`, '21.5', { qos: 1 });
    await publisher.publishAsync(`${ns.topicPrefix}pattern/other`, 'no match', { qos: 1 });
    await eventually(() => expect(sink.stored).toHaveLength(2));
    const [matched, unmatched] = sink.stored;
    expect(matched).toMatchObject({ clientid: 'sensor-9', username: 'bob' });
    expect(unmatched!.clientid).toBeUndefined();
    expect(unmatched!.username).toBeUndefined();
  });

  it('passes the retain flag on a plain subscription', async () => {
    const topic = `${ns.topicPrefix}retained/r1`;
    await publisher.publishAsync(topic, 'kept', { qos: 1, retain: true });
    try {
      const sink = new RecordingSink();
      const s = source('retained', sink, { shareGroup: false });
      await s.start();
      await eventually(() => expect(sink.stored).toHaveLength(1));
      expect(sink.stored[0]).toMatchObject({ topic, retain: true });
    } finally {
      await publisher.publishAsync(topic, '', { qos: 1, retain: true });
    }
  });

  it('splits a shared subscription across two connections', async () => {
    const sink = new RecordingSink();
    const s = source('shared', sink, { connections: 2 });
    await s.start();
    expect(s.status()).toEqual({ state: 'connected', connections: 2 });
    const payloads = numbered(200);
    for (const payload of payloads)
      await publisher.publishAsync(`${ns.topicPrefix}shared/a`, payload, { qos: 1 });
    await eventually(() => expect(sink.payloads().sort()).toEqual([...payloads].sort()));
    const perConnection = s.connectionMetrics().map((m) => m.stored);
    expect(perConnection).toHaveLength(2);
    expect(perConnection[0]! + perConnection[1]!).toBe(200);
    // each member gets a real share (mosquitto dispatches round-robin)
    expect(Math.min(...perConnection)).toBeGreaterThan(20);
  });
});
