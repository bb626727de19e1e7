import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import { createMqttSource, type MqttSource } from '../src/mqtt/mqtt-source';
import { eventually, freePort } from '../../../test/support';
import { RecordingSink } from './source-test-kit';

// EMQX publishes a client's lifecycle on $SYS/brokers/<node>/clients/<clientid>/connected|disconnected
// (emqx_sys.erl). No EMQX server runs here, so an aedes broker publishes the same topics and payloads
// from the broker side, as EMQX does; Mosquitto publishes only aggregate $SYS counters.
describe('MQTT source with clientEvents: emqx', () => {
  let server: Server;
  let aedes: Aedes;
  let url: string;
  const sources: MqttSource[] = [];

  beforeAll(async () => {
    aedes = await Aedes.createBroker();
    server = createServer((socket) => aedes.handle(socket));
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    url = `mqtt://127.0.0.1:${port}`;
  });

  afterEach(async () => {
    await Promise.all(sources.splice(0).map((s) => s.stop()));
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  function start(id: string, clientEvents: 'emqx' | undefined, sink: RecordingSink): Promise<void> {
    const source = createMqttSource(
      {
        id,
        tenant: 't1',
        url,
        protocolVersion: 4,
        shareGroup: null,
        topics: [{ filter: 'plant/#', qos: 1 }],
        ...(clientEvents ? { clientEvents } : {}),
      },
      sink.sink,
    );
    sources.push(source);
    return source.start();
  }

  function brokerPublish(topic: string, payload: string): Promise<void> {
    return new Promise((resolve, reject) =>
      aedes.publish(
        { cmd: 'publish', topic, payload: Buffer.from(payload), qos: 0, retain: false, dup: false },
        (error) => (error ? reject(error) : resolve()),
      ),
    );
  }

  it('hands $SYS client messages on as $events/client/connected|disconnected with the clientid', async () => {
    const sink = new RecordingSink();
    await start('events', 'emqx', sink);
    const connected = '{"clientid":"dev 1","username":"u1","ipaddress":"10.0.0.7","ts":1700000000000}';
    await brokerPublish('$SYS/brokers/emqx@n1/clients/dev 1/connected', connected);
    await brokerPublish('$SYS/brokers/emqx@n1/clients/dev 1/disconnected', '{"reason":"normal"}');
    await eventually(() => expect(sink.stored).toHaveLength(2));
    expect(sink.stored.map((m) => [m.topic, m.clientid, m.payload.toString()])).toEqual([
      ['$events/client/connected', 'dev 1', connected],
      ['$events/client/disconnected', 'dev 1', '{"reason":"normal"}'],
    ]);
  });

  it('does not subscribe to $SYS without the option', async () => {
    const sink = new RecordingSink();
    // another id: a persistent session keeps what an earlier connection subscribed to
    await start('plain', undefined, sink);
    await brokerPublish('$SYS/brokers/emqx@n1/clients/c1/connected', '{}');
    await brokerPublish('plant/1', 'after');
    await eventually(() => expect(sink.stored.map((m) => m.topic)).toContain('plant/1'));
    expect(sink.stored.map((m) => m.topic)).toEqual(['plant/1']);
  });
});
