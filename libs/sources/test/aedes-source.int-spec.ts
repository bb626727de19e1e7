import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import { startEmbeddedBroker, type EmbeddedBroker } from '@sluice/embedded-broker';
import { createMqttSource, type MqttSource } from '../src/mqtt/mqtt-source';
import { SourceSubscribeError } from '../src/errors';
import { eventually, freePort } from '../../../test/support';
import { EventLog, RecordingSink, connectPublisher, numbered } from './source-test-kit';

describe('MQTT source against the embedded aedes broker (no shared subscriptions)', () => {
  let broker: EmbeddedBroker;
  const sources: MqttSource[] = [];

  beforeAll(async () => {
    broker = await startEmbeddedBroker({ port: await freePort() });
  });

  afterEach(async () => {
    await Promise.all(sources.splice(0).map((s) => s.stop()));
  });

  afterAll(async () => {
    await broker.close();
  });

  it('subscribes plainly on one connection, even when more are configured', async () => {
    const sink = new RecordingSink();
    const events = new EventLog();
    const source = createMqttSource(
      {
        id: 'plain',
        tenant: 't1',
        url: broker.url,
        protocolVersion: 4,
        shareGroup: null,
        connections: 3,
        topics: [{ filter: 'plant/+/temp', qos: 1 }],
      },
      sink.sink,
      { onEvent: events.onEvent },
    );
    sources.push(source);
    await source.start();
    expect(source.status()).toEqual({ state: 'connected', connections: 1 });
    expect(events.events).toContainEqual({
      type: 'subscribed',
      clientId: 'sluice-t1-plain-0',
      filters: ['plant/+/temp'],
    });
    const publisher = await connectPublisher(broker.url, { protocolVersion: 4 });
    try {
      for (const payload of numbered(10)) await publisher.publishAsync('plant/p1/temp', payload, { qos: 1 });
      await publisher.publishAsync('plant/p1/humidity', 'not subscribed', { qos: 1 });
      await eventually(() => expect(sink.payloads()).toEqual(numbered(10)));
      await eventually(() => expect(source.metrics()).toMatchObject({ received: 10, stored: 10, acked: 10 }));
    } finally {
      await publisher.endAsync();
    }
  });
});

describe('MQTT source when the broker refuses the subscription', () => {
  let server: Server;
  let port: number;
  let aedes: Aedes;

  beforeAll(async () => {
    // a broker that authorises no subscription: SUBACK carries 0x80 for each filter
    aedes = await Aedes.createBroker({
      authorizeSubscribe: (_client, _sub, done) => done(new Error('denied')),
    });
    server = createServer((socket) => aedes.handle(socket));
    port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('rejects start() with SourceSubscribeError naming the filter', async () => {
    const source = createMqttSource(
      {
        id: 'refused',
        tenant: 't1',
        url: `mqtt://127.0.0.1:${port}`,
        protocolVersion: 4,
        shareGroup: false,
        topics: [{ filter: 'secret/#', qos: 1 }],
      },
      new RecordingSink().sink,
    );
    const started = source.start();
    await expect(started).rejects.toBeInstanceOf(SourceSubscribeError);
    await expect(started).rejects.toThrow('secret/#');
    expect(source.status().reason).toContain('secret/#');
  });
});
