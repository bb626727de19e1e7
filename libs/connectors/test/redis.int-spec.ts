import { Redis } from 'ioredis';
import { createConnector, type Connector, type DeliveryRecord } from '@sluice/connectors';
import { eventually, freePort, testNamespace, testServers } from '../../../test/support';

const ns = testNamespace();
const key = (name: string) => `${ns.streamPrefix}${name}`;
const rec = (id: string, data: Record<string, unknown>): DeliveryRecord => ({ id, data });

describe('redis connector', () => {
  const admin = new Redis(testServers.redisUrl);
  let connector: Connector;

  beforeAll(async () => {
    connector = createConnector('redis', { url: testServers.redisUrl });
    await connector.start();
  });

  afterAll(async () => {
    await connector.close();
    const keys = await admin.keys(`${ns.streamPrefix}*`);
    if (keys.length > 0) await admin.del(...keys);
    await admin.quit();
  });

  it('pipelines HSET for a batch and reads the hash back', async () => {
    expect(connector.status()).toEqual({ state: 'connected' });
    const action = connector.createAction({
      command: `HSET ${key('h')}:\${clientid} temp \${payload.temp} topic \${topic}`,
    });
    const outcomes = await action.send([
      rec('1', { clientid: 'c1', topic: 'a/b', payload: '{"temp":21.5}' }),
      rec('2', { clientid: 'c2', topic: 'a c', payload: { temp: 3 } }),
    ]);
    expect(outcomes).toEqual([{ ok: true }, { ok: true }]);
    expect(await admin.hgetall(key('h:c1'))).toEqual({ temp: '21.5', topic: 'a/b' });
    expect(await admin.hgetall(key('h:c2'))).toEqual({ temp: '3', topic: 'a c' });
  });

  it('appends to a stream with XADD, a list with LPUSH and a string with SET', async () => {
    const xadd = connector.createAction({ command: `XADD ${key('s')} * id \${id} payload \${payload}` });
    const lpush = connector.createAction({ command: `LPUSH ${key('l')} \${payload.v}` });
    const set = connector.createAction({ command: `SET ${key('k')}:\${id} \${payload.v}` });
    const batch = [rec('m1', { payload: { v: 'x' } }), rec('m2', { payload: { v: 'y' } })];
    for (const action of [xadd, lpush, set])
      expect(await action.send(batch)).toEqual([{ ok: true }, { ok: true }]);
    const entries = await admin.xrange(key('s'), '-', '+');
    expect(entries.map(([, fields]) => fields)).toEqual([
      ['id', 'm1', 'payload', '{"v":"x"}'],
      ['id', 'm2', 'payload', '{"v":"y"}'],
    ]);
    expect(await admin.lrange(key('l'), 0, -1)).toEqual(['y', 'x']);
    expect(await admin.mget(key('k:m1'), key('k:m2'))).toEqual(['x', 'y']);
  });

  it('publishes with PUBLISH to a subscriber', async () => {
    const sub = new Redis(testServers.redisUrl);
    const got: string[] = [];
    try {
      await sub.subscribe(key('ch'));
      sub.on('message', (_channel: string, message: string) => got.push(message));
      const action = connector.createAction({ command: `PUBLISH ${key('ch')} \${payload}` });
      expect(await action.send([rec('1', { payload: 'hello' })])).toEqual([{ ok: true }]);
      await eventually(() => expect(got).toEqual(['hello']));
    } finally {
      await sub.quit();
    }
  });

  it('fails the command the server rejects (WRONGTYPE) for good, the rest of the pipeline lands', async () => {
    await admin.set(key('str'), 'v');
    const action = connector.createAction({ command: 'LPUSH ${k} ${v}' });
    const outcomes = await action.send([
      rec('1', { k: key('list2'), v: 'a' }),
      rec('2', { k: key('str'), v: 'b' }),
      rec('3', { k: key('list2'), v: 'c' }),
    ]);
    expect(outcomes[0]).toEqual({ ok: true });
    expect(outcomes[1]).toMatchObject({
      ok: false,
      retryable: false,
      message: expect.stringContaining('WRONGTYPE'),
    });
    expect(outcomes[2]).toEqual({ ok: true });
    expect(await admin.lrange(key('list2'), 0, -1)).toEqual(['c', 'a']);
  });

  it('reports a server that is down: disconnected with the reason, retryable outcomes', async () => {
    const down = createConnector('redis', { url: `redis://127.0.0.1:${await freePort()}`, poolSize: 1 });
    try {
      await down.start();
      expect(down.status()).toMatchObject({
        state: 'disconnected',
        reason: expect.stringContaining('ECONNREFUSED'),
      });
      const [outcome] = await down.createAction({ command: 'SET a b' }).send([rec('1', {})]);
      expect(outcome).toMatchObject({ ok: false, retryable: true, code: 'CONNECTOR_UNAVAILABLE' });
      expect(await down.testConnection()).toMatchObject({ state: 'disconnected' });
    } finally {
      await down.close();
    }
  });

  it('names the field of a bad config or template', () => {
    expect(() => createConnector('redis', { url: 'http://x' })).toThrow(
      expect.objectContaining({ code: 'CONNECTOR_CONFIG_INVALID', field: 'url' }),
    );
    expect(() => connector.createAction({ command: '' })).toThrow(
      expect.objectContaining({ field: 'command' }),
    );
    expect(() => connector.createAction({ command: '${cmd} a b' })).toThrow(
      expect.objectContaining({ code: 'CONNECTOR_CONFIG_INVALID', field: 'command' }),
    );
    expect(() => connector.createAction({ command: 'SET a ${b' })).toThrow(
      expect.objectContaining({ field: 'command' }),
    );
  });
});
