import { startEmbeddedBroker, type EmbeddedBroker } from '@sluice/embedded-broker';
import { createMqttSource, type MqttSource } from '../src/mqtt/mqtt-source';
import type { MqttClient } from 'mqtt';
import { eventually, freePort } from '../../../test/support';
import { EventLog, RecordingSink, connectPublisher, numbered } from './source-test-kit';

// The embedded broker hands publishes to ingest in-process (its intake) and acknowledges the
// publisher only once the sink stored them: the gap of a PUBACK before storage is closed.
describe('MQTT source taking the embedded broker’s publishes in-process (intake)', () => {
  let broker: EmbeddedBroker;
  const sources: MqttSource[] = [];
  const publishers: MqttClient[] = [];

  const source = (sink: RecordingSink, extra: { mountpoint?: string; filter?: string } = {}) => {
    const events = new EventLog();
    const created = createMqttSource(
      {
        id: 'in',
        tenant: 't1',
        url: broker.url,
        protocolVersion: 4,
        shareGroup: null,
        topics: [{ filter: extra.filter ?? 'plant/#', qos: 1 }],
        drainTimeoutMs: 300,
        ...(extra.mountpoint ? { mountpoint: extra.mountpoint } : {}),
      },
      sink.sink,
      { onEvent: events.onEvent, intake: broker },
    );
    sources.push(created);
    return { source: created, events };
  };
  const publisher = async (clientId?: string) => {
    const client = await connectPublisher(broker.url, {
      protocolVersion: 4,
      ...(clientId ? { clientId, clean: false } : {}),
    });
    publishers.push(client);
    return client;
  };
  /** Whether `promise` settled within a few turns of the event loop (and broker round trips). */
  const settledSoon = async (promise: Promise<unknown>, ms = 300) =>
    Promise.race([
      promise.then(
        () => true,
        () => true,
      ),
      new Promise<false>((resolve) => setTimeout(() => resolve(false), ms)),
    ]);

  beforeAll(async () => {
    broker = await startEmbeddedBroker({ port: await freePort() });
  });

  afterEach(async () => {
    await Promise.all(publishers.splice(0).map((p) => p.endAsync(true)));
    await Promise.all(sources.splice(0).map((s) => s.stop()));
  });

  afterAll(async () => {
    await broker.close();
  });

  it('acknowledges a QoS 1 publish only after the sink stored it', async () => {
    const sink = new RecordingSink();
    const { source: s, events } = source(sink);
    await s.start();
    expect(s.status()).toEqual({ state: 'connected', connections: 1 });
    expect(events.events).toContainEqual({
      type: 'subscribed',
      clientId: 'sluice-t1-in-intake',
      filters: ['plant/#'],
    });
    const pub = await publisher();
    sink.hold();
    const acked = pub.publishAsync('plant/p1/temp', 'held', { qos: 1 });
    await eventually(() => expect(sink.calls.map((m) => m.payload.toString())).toEqual(['held']));
    expect(await settledSoon(acked)).toBe(false);
    sink.release();
    await acked;
    expect(sink.payloads()).toEqual(['held']);
    expect(s.metrics()).toMatchObject({ received: 1, stored: 1, acked: 1, inFlight: 0 });
  });

  it('keeps retrying a failing sink without acknowledging, then acknowledges once stored', async () => {
    const sink = new RecordingSink();
    const { source: s, events } = source(sink);
    await s.start();
    const pub = await publisher();
    sink.failing = true;
    const acked = pub.publishAsync('plant/p2', 'retried', { qos: 1 });
    await eventually(() => expect(events.count('sink-failed')).toBeGreaterThanOrEqual(2));
    expect(await settledSoon(acked, 50)).toBe(false);
    sink.failing = false;
    await acked;
    expect(sink.payloads()).toEqual(['retried']);
    expect(s.metrics()).toMatchObject({ stored: 1, acked: 1 });
  });

  it('stores in order, under the mountpoint taken off the topic, and leaves other topics alone', async () => {
    const sink = new RecordingSink();
    const { source: s } = source(sink, { mountpoint: 'acme/' });
    await s.start();
    const pub = await publisher();
    await Promise.all(numbered(50).map((m) => pub.publishAsync('acme/plant/a', m, { qos: 1 })));
    await pub.publishAsync('other/plant/a', 'not ours', { qos: 1 });
    await pub.publishAsync('acme/plant/b', 'zero', { qos: 0 });
    await eventually(() => expect(sink.stored).toHaveLength(51));
    expect(sink.payloads().slice(0, 50)).toEqual(numbered(50));
    expect(new Set(sink.stored.map((m) => m.topic))).toEqual(new Set(['plant/a', 'plant/b']));
    expect(new Set(sink.stored.map((m) => m.id)).size).toBe(51);
  });

  it('refuses what arrives while it stops, so the publisher sends it again to the next source', async () => {
    const sink = new RecordingSink();
    const first = source(sink).source;
    await first.start();
    const pub = await publisher('pub-refused');
    sink.hold();
    const inFlight = pub.publishAsync('plant/p3', 'in flight', { qos: 1 });
    await eventually(() => expect(sink.calls).toHaveLength(1));
    // stop while one is being stored: it is abandoned after drainTimeoutMs, never acknowledged
    const stopping = first.stop();
    const late = pub.publishAsync('plant/p3', 'late', { qos: 1 });
    await stopping;
    expect(first.metrics()).toMatchObject({ stored: 0, acked: 0 });
    sink.release();
    // the broker refused both (the publisher was disconnected); the next source gets them again
    const next = new RecordingSink();
    await source(next).source.start();
    await Promise.all([inFlight, late]);
    expect(next.payloads().sort()).toEqual(['in flight', 'late']);
  });

  it('holds publishes (unacknowledged, not refused) while a change runs, and takes them after', async () => {
    const sink = new RecordingSink();
    const first = source(sink, { filter: 'plant/a' }).source;
    await first.start();
    const pub = await publisher();
    let acked!: Promise<unknown>;
    await broker.holdWhile(async () => {
      await first.stop();
      acked = pub.publishAsync('plant/b', 'during the change', { qos: 1 });
      expect(await settledSoon(acked)).toBe(false);
      await source(sink, { filter: 'plant/b' }).source.start();
    });
    await acked;
    expect(sink.payloads()).toEqual(['during the change']);
  });
});
