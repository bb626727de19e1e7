import { connect, StringCodec, type JetStreamManager, type Msg, type NatsConnection } from 'nats';
import { createConnector, type Connector } from '@sluice/connectors';
import { eventually, freePort, testNamespace, testServers } from '../../../test/support';

const ns = testNamespace();
const sc = StringCodec();
const stream = `${ns.streamPrefix}OUT`;

describe('nats connector', () => {
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let connector: Connector;

  beforeAll(async () => {
    nc = await connect({ servers: testServers.natsUrl });
    jsm = await nc.jetstreamManager();
    await jsm.streams.add({ name: stream, subjects: [`${ns.streamPrefix}js.>`] });
    connector = createConnector('nats', { servers: testServers.natsUrl });
    await connector.start();
  });

  afterAll(async () => {
    await connector.close();
    await jsm.streams.delete(stream);
    await nc.close();
  });

  it('publishes a batch on core NATS with subject, payload and header templates', async () => {
    expect(connector.status()).toEqual({ state: 'connected' });
    const got: Msg[] = [];
    const sub = nc.subscribe(`${ns.streamPrefix}core.>`, { callback: (_e, m) => got.push(m) });
    await nc.flush();
    const action = connector.createAction({
      subject: `${ns.streamPrefix}core.\${clientid}`,
      payload: '${payload.temp}',
      headers: { 'x-topic': '${topic}' },
    });
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const outcomes = await action.send([
      { id: 'm1', data: { clientid: 'c1', topic: 'a/1', payload: '{"temp":20}' }, headers: { traceparent } },
      { id: 'm2', data: { clientid: 'c2', topic: 'a/2', payload: { temp: 21 } } },
    ]);
    expect(outcomes).toEqual([{ ok: true }, { ok: true }]);
    await eventually(() => expect(got).toHaveLength(2));
    sub.unsubscribe();
    expect(got.map((m) => [m.subject, sc.decode(m.data), m.headers?.get('x-topic')])).toEqual([
      [`${ns.streamPrefix}core.c1`, '20', 'a/1'],
      [`${ns.streamPrefix}core.c2`, '21', 'a/2'],
    ]);
    expect(got[0]!.headers?.get('traceparent')).toBe(traceparent);
  });

  it('publishes to JetStream with PubAck and drops a redelivered id (Nats-Msg-Id)', async () => {
    const action = connector.createAction({ subject: `${ns.streamPrefix}js.\${clientid}`, jetstream: true });
    const batch = [
      { id: 'j1', data: { clientid: 'c1', v: 1 } },
      { id: 'j2', data: { clientid: 'c2', v: 2 } },
    ];
    expect(await action.send(batch)).toEqual([{ ok: true }, { ok: true }]);
    expect(await action.send(batch)).toEqual([{ ok: true }, { ok: true }]);
    const info = await jsm.streams.info(stream);
    expect(info.state.messages).toBe(2);
    const first = await jsm.streams.getMessage(stream, { seq: 1 });
    expect(JSON.parse(sc.decode(first.data))).toEqual({ clientid: 'c1', v: 1 });
    expect(first.header.get('Nats-Msg-Id')).toBe('j1');
  });

  it('fails a JetStream publish no stream takes, for good', async () => {
    const action = connector.createAction({ subject: `${ns.streamPrefix}nostream.x`, jetstream: true });
    const [outcome] = await action.send([{ id: 'x', data: {} }]);
    expect(outcome).toMatchObject({ ok: false, retryable: false, code: 'DELIVERY_FAILED' });
  });

  it('reports a server that is down: disconnected with the reason, retryable outcomes', async () => {
    const down = createConnector('nats', {
      servers: `nats://127.0.0.1:${await freePort()}`,
      connectTimeoutMs: 2_000,
    });
    try {
      await down.start();
      expect(down.status()).toMatchObject({
        state: 'disconnected',
        reason: expect.stringContaining('CONNECTION_REFUSED'),
      });
      const [outcome] = await down.createAction({ subject: 'a' }).send([{ id: '1', data: {} }]);
      expect(outcome).toMatchObject({ ok: false, retryable: true, code: 'CONNECTOR_UNAVAILABLE' });
    } finally {
      await down.close();
    }
  });

  it('names the field of a bad config or template', () => {
    expect(() => createConnector('nats', { servers: 'http://x' })).toThrow(
      expect.objectContaining({ code: 'CONNECTOR_CONFIG_INVALID', field: 'servers' }),
    );
    expect(() => connector.createAction({ subject: '' })).toThrow(
      expect.objectContaining({ field: 'subject' }),
    );
    expect(() => connector.createAction({ subject: 'a.${b' })).toThrow(
      expect.objectContaining({ code: 'CONNECTOR_CONFIG_INVALID', field: 'subject' }),
    );
    expect(() => connector.createAction({ subject: 'a', jetstream: 'yes' })).toThrow(
      expect.objectContaining({ field: 'jetstream' }),
    );
  });
});
