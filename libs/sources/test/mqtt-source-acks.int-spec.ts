import mqtt, { type MqttClient } from 'mqtt';
import { createMqttSource, type MqttSource } from '../src/mqtt/mqtt-source';
import { type MqttSourceConfigInput } from '../src/mqtt/mqtt-source.config';
import { eventually, testNamespace, testServers } from '../../../test/support';
import {
  EventLog,
  RecordingSink,
  TcpProxy,
  connectPublisher,
  forgetSessions,
  numbered,
} from './source-test-kit';

const ns = testNamespace();
const url = testServers.mqttUrl;
const brokerPort = Number(new URL(url).port || 1883);

describe('MQTT source acknowledgements against Mosquitto', () => {
  const sources: MqttSource[] = [];
  const clientIds: string[] = [];
  let publisher: MqttClient;
  let proxy: TcpProxy;

  beforeAll(async () => {
    publisher = await connectPublisher(url);
    proxy = await new TcpProxy('127.0.0.1', brokerPort).start();
  });

  afterEach(async () => {
    await Promise.all(sources.splice(0).map((s) => s.stop()));
  });

  afterAll(async () => {
    await publisher.endAsync();
    await proxy.close();
    await forgetSessions(url, clientIds);
  });

  function source(
    name: string,
    sink: RecordingSink,
    overrides: Partial<MqttSourceConfigInput> = {},
    events = new EventLog(),
  ) {
    const prefix = `${ns.id}-${name}`;
    clientIds.push(`${prefix}-0`);
    const created = createMqttSource(
      {
        id: name,
        tenant: 't1',
        url,
        clientIdPrefix: prefix,
        clean: false,
        topics: [{ filter: `${ns.topicPrefix}${name}/#`, qos: 2 }],
        ...overrides,
      },
      sink.sink,
      { onEvent: events.onEvent },
    );
    sources.push(created);
    return created;
  }

  it.each([4, 5] as const)(
    'acks nothing before the sink resolved: a stuck source stopped mid-stream gets the messages again (protocol %i)',
    async (protocolVersion) => {
      const name = `stuck${protocolVersion}`;
      const topic = `${ns.topicPrefix}${name}/x`;
      const stuck = new RecordingSink();
      stuck.hold(); // never resolves
      const first = source(name, stuck, { protocolVersion, drainTimeoutMs: 100 });
      await first.start();
      const payloads = numbered(8);
      for (const [i, payload] of payloads.entries())
        await publisher.publishAsync(topic, payload, { qos: i % 2 ? 2 : 1 });
      await eventually(() => expect(stuck.calls).toHaveLength(8));
      expect(first.metrics()).toMatchObject({ received: 8, stored: 0, acked: 0, inFlight: 8 });
      await first.stop();
      expect(first.metrics().acked).toBe(0);

      const sink = new RecordingSink();
      const second = source(name, sink, { protocolVersion });
      await second.start();
      await eventually(() => expect(sink.payloads().sort()).toEqual([...payloads].sort()));
      expect(sink.stored.every((m) => m.dup)).toBe(true);
      expect(sink.stored.map((m) => m.qos)).toEqual(payloads.map((_, i) => (i % 2 ? 2 : 1)));
      await eventually(() => expect(second.metrics().acked).toBe(8));
    },
  );

  it('stop() gives up after drainTimeoutMs when the sink never resolves and the socket is held', async () => {
    const stuck = new RecordingSink();
    stuck.hold();
    const s = source('held', stuck, { protocolVersion: 4, maxInFlight: 2, drainTimeoutMs: 200 });
    await s.start();
    for (const payload of numbered(6))
      await publisher.publishAsync(`${ns.topicPrefix}held/a`, payload, { qos: 1 });
    await eventually(() => expect(stuck.calls.length).toBeGreaterThanOrEqual(2));
    await s.stop();
    expect(s.status().state).toBe('disconnected');
    expect(s.metrics().acked).toBe(0);
    const sink = new RecordingSink();
    await source('held', sink, { protocolVersion: 4 }).start();
    await eventually(() => expect(sink.payloads().sort()).toEqual(numbered(6)));
  });

  it('retries a failing sink with backoff and acks once it stored; a QoS 0 message is dropped instead', async () => {
    const sink = new RecordingSink();
    const events = new EventLog();
    const s = source('retry', sink, {}, events);
    await s.start();
    sink.failNext = 3;
    await publisher.publishAsync(`${ns.topicPrefix}retry/a`, 'kept', { qos: 1 });
    await eventually(() => expect(sink.payloads()).toEqual(['kept']));
    await eventually(() =>
      expect(s.metrics()).toMatchObject({ stored: 1, acked: 1, sinkFailures: 3, dropped: 0 }),
    );
    expect(new Set(sink.calls.map((m) => m.id)).size).toBe(1); // every retry carries the same id

    sink.failNext = 1;
    await publisher.publishAsync(`${ns.topicPrefix}retry/a`, 'lost', { qos: 0 });
    await eventually(() => expect(s.metrics().droppedByReason['sink-failed']).toBe(1));
    expect(sink.calls.filter((m) => m.payload.toString() === 'lost')).toHaveLength(1);
    expect(s.metrics()).toMatchObject({ dropped: 1, sinkFailures: 4, stored: 1 });
    expect(events.count('sink-failed')).toBe(4);
  });

  it('acknowledges a message the sink rejects for good, counts it dropped, and frees its slot', async () => {
    const sink = new RecordingSink();
    // one slot: a rejected message that kept it would stop everything behind it
    const s = source('rejected', sink, { maxInFlight: 1 });
    await s.start();
    sink.rejectNext = 1;
    await publisher.publishAsync(`${ns.topicPrefix}rejected/a`, 'never', { qos: 1 });
    await publisher.publishAsync(`${ns.topicPrefix}rejected/a`, 'after', { qos: 1 });
    await eventually(() => expect(sink.payloads()).toEqual(['after']));
    await eventually(() =>
      expect(s.metrics()).toMatchObject({ stored: 1, acked: 2, dropped: 1, sinkFailures: 0 }),
    );
    expect(s.metrics().droppedByReason.rejected).toBe(1);
    // tried once, not retried
    expect(sink.calls.filter((m) => m.payload.toString() === 'never')).toHaveLength(1);
  });

  it('gets a message whose sink failed again after the connection is cut, with the same id', async () => {
    const sink = new RecordingSink();
    const events = new EventLog();
    const s = source('cut', sink, { url: proxy.url, reconnectPeriodMs: 50 }, events);
    await s.start();
    sink.failing = true;
    await publisher.publishAsync(`${ns.topicPrefix}cut/a`, 'again', { qos: 1 });
    await eventually(() => expect(sink.calls.length).toBeGreaterThan(0));
    const firstId = sink.calls[0]!.id;
    expect(sink.calls[0]!.dup).toBe(false);

    proxy.cut();
    await eventually(() => expect(events.count('connected')).toBe(2));
    await eventually(() => expect(sink.calls.some((m) => m.dup)).toBe(true));
    sink.failing = false;
    await eventually(() => expect(s.metrics().acked).toBe(1));
    expect(new Set(sink.calls.map((m) => m.id))).toEqual(new Set([firstId]));
    expect(s.metrics().reconnects).toBeGreaterThanOrEqual(1);
    expect(s.status()).toMatchObject({ state: 'connected', connections: 1 });
  });

  it('reconnects and resubscribes when another client takes its client id', async () => {
    const sink = new RecordingSink();
    const events = new EventLog();
    const s = source('kick', sink, { reconnectPeriodMs: 50, clean: true }, events);
    await s.start();
    const kicker = await mqtt.connectAsync(url, { clientId: `${ns.id}-kick-0`, reconnectPeriod: 0 });
    await eventually(() => expect(events.count('disconnected')).toBe(1));
    await kicker.endAsync(true);
    await eventually(() => expect(s.status().state).toBe('connected'));
    await eventually(() => expect(events.count('subscribed')).toBe(2)); // clean start: subscribed again
    await publisher.publishAsync(`${ns.topicPrefix}kick/a`, 'after', { qos: 1 });
    await eventually(() => expect(sink.payloads()).toEqual(['after']));
  });

  it('with MQTT 5 sends the Receive Maximum, so the broker holds what exceeds maxInFlight', async () => {
    const sink = new RecordingSink();
    sink.hold();
    const s = source('window', sink, { maxInFlight: 5 });
    await s.start();
    const payloads = numbered(30);
    // publishAsync resolves on the broker's PUBACK: afterwards the broker has all 30
    for (const payload of payloads)
      await publisher.publishAsync(`${ns.topicPrefix}window/a`, payload, { qos: 1 });
    await eventually(() => expect(sink.calls).toHaveLength(5));
    expect(s.metrics()).toMatchObject({ received: 5, acked: 0, inFlight: 5 });
    sink.release();
    await eventually(() => expect(s.metrics().acked).toBe(30));
    expect(sink.payloads()).toEqual(payloads); // one connection: the broker's order is kept
  });

  it('keeps the session while a slow sink holds the socket, dropping only QoS 0 read for keepalive', async () => {
    const sink = new RecordingSink();
    sink.hold();
    const events = new EventLog();
    const s = source('slow', sink, { protocolVersion: 4, keepalive: 1, maxInFlight: 3, clean: true }, events);
    await s.start();
    const topic = `${ns.topicPrefix}slow/a`;
    for (const payload of numbered(20)) await publisher.publishAsync(topic, payload, { qos: 0 });
    await eventually(() => expect(events.count('paused')).toBeGreaterThan(0));
    for (const payload of numbered(20)) await publisher.publishAsync(topic, `late-${payload}`, { qos: 0 });
    // three keepalive round trips while held: longer than the 1.5 s mqtt.js allows without a PINGRESP
    await eventually(
      () =>
        expect(events.events.filter((e) => e.type === 'keepalive' && e.paused).length).toBeGreaterThanOrEqual(
          3,
        ),
      { timeoutMs: 10_000 },
    );
    expect(events.count('disconnected')).toBe(0);
    expect(s.metrics().reconnects).toBe(0);
    sink.release();
    await eventually(() => expect(s.metrics().received).toBe(40));
    const m = s.metrics();
    expect(m.stored + m.dropped).toBe(40);
    expect(m.droppedByReason.overload).toBe(m.dropped);
    expect(m.dropped).toBeGreaterThan(0);
    expect(m.stored).toBeGreaterThanOrEqual(3);
  });

  it('stop() waits for in-flight sinks and sends their acks before disconnecting', async () => {
    const sink = new RecordingSink();
    sink.hold();
    const s = source('drain', sink);
    await s.start();
    for (const payload of numbered(5))
      await publisher.publishAsync(`${ns.topicPrefix}drain/a`, payload, { qos: 1 });
    await eventually(() => expect(sink.calls).toHaveLength(5));
    const stopping = s.stop();
    sink.release();
    await stopping;
    expect(s.metrics()).toMatchObject({ stored: 5, acked: 5, inFlight: 0 });
    expect(s.status().state).toBe('disconnected');

    const again = new RecordingSink();
    const next = source('drain', again);
    await next.start();
    await publisher.publishAsync(`${ns.topicPrefix}drain/a`, 'marker', { qos: 1 });
    await eventually(() => expect(again.payloads()).toContain('marker'));
    expect(again.payloads()).toEqual(['marker']); // nothing redelivered: the acks went out
  });
});
