import { connect, type Channel, type ChannelModel, type GetMessage } from 'amqplib';
import { createConnector, type Connector, type DeliveryRecord } from '@sluice/connectors';
import { eventually, freePort, testNamespace, testServers } from '../../../test/support';

const ns = testNamespace();
const exchange = `${ns.streamPrefix}x`;
const queue = `${ns.streamPrefix}q`;

describe('rabbitmq connector', () => {
  let admin: ChannelModel;
  let channel: Channel;
  let connector: Connector;

  const drain = async () => {
    const got: GetMessage[] = [];
    for (let m = await channel.get(queue, { noAck: true }); m; m = await channel.get(queue, { noAck: true }))
      got.push(m);
    return got;
  };

  beforeAll(async () => {
    admin = await connect(testServers.amqpUrl);
    channel = await admin.createChannel();
    await channel.assertExchange(exchange, 'topic', { durable: false, autoDelete: false });
    await channel.assertQueue(queue, { durable: true });
    await channel.bindQueue(queue, exchange, 'dev.#');
    connector = createConnector('rabbitmq', { url: testServers.amqpUrl, poolSize: 2 });
    await connector.start();
  });

  afterAll(async () => {
    await connector.close();
    await channel.deleteQueue(queue);
    await channel.deleteExchange(exchange);
    await admin.close();
  });

  it('publishes a confirmed, persistent batch with routing key, payload and trace headers', async () => {
    expect(connector.status()).toEqual({ state: 'connected' });
    const action = connector.createAction({
      exchange,
      routingKey: 'dev.${clientid}',
      payload: '${payload.temp}',
      headers: { 'x-topic': '${topic}' },
    });
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const records: DeliveryRecord[] = [
      { id: 'm1', data: { clientid: 'c1', topic: 'a/b', payload: '{"temp":20}' }, headers: { traceparent } },
      { id: 'm2', data: { clientid: 'c2', topic: 'a/c', payload: { temp: 21 } } },
      { id: 'm3', data: { clientid: 'c3', topic: 'a/d', payload: { temp: 22 } } },
    ];
    expect(await action.send(records)).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    const got = await eventually(async () => {
      const all = await drain();
      expect(all).toHaveLength(3);
      return all;
    });
    expect(got.map((m) => [m.fields.routingKey, m.content.toString(), m.properties.messageId])).toEqual([
      ['dev.c1', '20', 'm1'],
      ['dev.c2', '21', 'm2'],
      ['dev.c3', '22', 'm3'],
    ]);
    expect(got[0]!.properties.deliveryMode).toBe(2);
    expect(got[0]!.properties.headers).toEqual({ traceparent, 'x-topic': 'a/b' });
    expect(got[1]!.properties.headers).toEqual({ 'x-topic': 'a/c' });
  });

  it('sends the whole rule output as JSON by default, through the default exchange', async () => {
    const action = connector.createAction({ routingKey: queue });
    const data = { topic: 't', payload: { a: 1 } };
    expect(await action.send([{ id: 'd1', data }])).toEqual([{ ok: true }]);
    const got = await eventually(async () => {
      const all = await drain();
      expect(all).toHaveLength(1);
      return all;
    });
    expect(JSON.parse(got[0]!.content.toString())).toEqual(data);
    expect(got[0]!.properties.contentType).toBe('application/json');
  });

  it('fails for good on a missing exchange, then publishes again on a fresh channel', async () => {
    const bad = connector.createAction({ exchange: `${ns.streamPrefix}missing`, routingKey: 'k' });
    const outcomes = await bad.send([
      { id: 'a', data: {} },
      { id: 'b', data: {} },
    ]);
    expect(outcomes).toEqual([
      expect.objectContaining({ ok: false, retryable: false, message: expect.stringContaining('NOT_FOUND') }),
      expect.objectContaining({ ok: false, retryable: false }),
    ]);
    const good = connector.createAction({ routingKey: queue });
    for (let i = 0; i < 2; i++) expect(await good.send([{ id: `g${i}`, data: {} }])).toEqual([{ ok: true }]);
    await eventually(async () => expect(await drain()).toHaveLength(2));
  });

  it('reports a broker that is down: disconnected with the reason, retryable outcomes', async () => {
    const down = createConnector('rabbitmq', { url: `amqp://guest:guest@127.0.0.1:${await freePort()}` });
    try {
      await down.start();
      expect(down.status()).toMatchObject({
        state: 'disconnected',
        reason: expect.stringContaining('ECONNREFUSED'),
      });
      const [outcome] = await down.createAction({ routingKey: 'k' }).send([{ id: 'a', data: {} }]);
      expect(outcome).toMatchObject({ ok: false, retryable: true, code: 'CONNECTOR_UNAVAILABLE' });
    } finally {
      await down.close();
    }
  });

  it('names the field of a bad config or template', () => {
    expect(() => createConnector('rabbitmq', { url: 'http://x' })).toThrow(
      expect.objectContaining({ code: 'CONNECTOR_CONFIG_INVALID', field: 'url' }),
    );
    expect(() => connector.createAction({})).toThrow(expect.objectContaining({ field: 'routingKey' }));
    expect(() => connector.createAction({ routingKey: 'a.${b' })).toThrow(
      expect.objectContaining({ code: 'CONNECTOR_CONFIG_INVALID', field: 'routingKey' }),
    );
    expect(() => connector.createAction({ routingKey: 'k', headers: { h: '${}' } })).toThrow(
      expect.objectContaining({ field: 'headers.h' }),
    );
  });
});
