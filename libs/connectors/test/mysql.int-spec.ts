import { createConnection, type Connection, type RowDataPacket } from 'mysql2/promise';
import { createConnector, type Connector, type DeliveryRecord } from '@sluice/connectors';
import { freePort, testNamespace, testServers } from '../../../test/support';

const ns = testNamespace();
const table = `t_${ns.id}_readings`;
const rec = (id: string, payload: unknown, topic = 't/1'): DeliveryRecord => ({
  id,
  data: { topic, payload },
});

describe('mysql connector', () => {
  let admin: Connection;
  let connector: Connector;
  const rows = async () => {
    const [result] = await admin.query<RowDataPacket[]>(
      `SELECT id, topic, temp, doc FROM ${table} ORDER BY id`,
    );
    return result.map((r) => ({ ...r }));
  };

  beforeAll(async () => {
    admin = await createConnection(testServers.mysqlUrl);
    await admin.query(
      `CREATE TABLE ${table} (id VARCHAR(64) PRIMARY KEY, topic VARCHAR(255) NOT NULL,
        temp DOUBLE CHECK (temp < 1000), doc TEXT)`,
    );
    connector = createConnector('mysql', { url: testServers.mysqlUrl, poolSize: 2 });
    await connector.start();
  });

  afterAll(async () => {
    await connector.close();
    await admin.query(`DROP TABLE IF EXISTS ${table}`);
    await admin.end();
  });

  beforeEach(async () => {
    await admin.query(`TRUNCATE TABLE ${table}`);
  });

  const insert = `INSERT IGNORE INTO ${table} (id, topic, temp, doc) VALUES (\${id}, '\${topic}', \${payload.temp}, \${payload})`;

  it('writes a batch with bound parameters and reads it back', async () => {
    expect(connector.status()).toEqual({ state: 'connected' });
    const action = connector.createAction({ sql: insert });
    const outcomes = await action.send([
      rec('a', '{"temp":20.5}'),
      rec('b', { temp: -3 }, "t/'quoted'; DROP TABLE x"),
      rec('c', { other: true }),
    ]);
    expect(outcomes).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    expect(await rows()).toEqual([
      { id: 'a', topic: 't/1', temp: 20.5, doc: '{"temp":20.5}' },
      { id: 'b', topic: "t/'quoted'; DROP TABLE x", temp: -3, doc: '{"temp":-3}' },
      { id: 'c', topic: 't/1', temp: null, doc: '{"other":true}' },
    ]);
  });

  it('is idempotent by record id with INSERT IGNORE: a redelivered batch adds no rows', async () => {
    const action = connector.createAction({ sql: insert });
    await action.send([rec('a', { temp: 1 }), rec('b', { temp: 2 })]);
    const again = await action.send([rec('a', { temp: 9 }), rec('b', { temp: 9 }), rec('c', { temp: 3 })]);
    expect(again.every((o) => o.ok)).toBe(true);
    expect((await rows()).map((r) => [r['id'], r['temp']])).toEqual([
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ]);
  });

  it('upserts with ON DUPLICATE KEY UPDATE in one batched statement', async () => {
    const action = connector.createAction({
      sql: `INSERT INTO ${table} (id, topic, temp) VALUES (\${id}, \${topic}, \${payload.temp})
        ON DUPLICATE KEY UPDATE temp = VALUES(temp)`,
      maxBatchSize: 2,
    });
    await action.send([rec('a', { temp: 1 }), rec('b', { temp: 2 })]);
    const outcomes = await action.send([
      rec('a', { temp: 10 }),
      rec('b', { temp: 20 }),
      rec('c', { temp: 30 }),
    ]);
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect((await rows()).map((r) => r['temp'])).toEqual([10, 20, 30]);
  });

  it('isolates a poison record: the others land, it fails for good', async () => {
    // why not INSERT IGNORE: IGNORE turns every data error (here the CHECK) into a warning
    const action = connector.createAction({
      sql: insert.replace('INSERT IGNORE', 'INSERT') + ' ON DUPLICATE KEY UPDATE id = id',
    });
    const outcomes = await action.send([
      rec('a', { temp: 1 }),
      rec('hot', { temp: 5000 }),
      rec('c', { temp: 3 }),
    ]);
    expect(outcomes[0]).toEqual({ ok: true });
    expect(outcomes[1]).toMatchObject({ ok: false, retryable: false, code: 'DELIVERY_FAILED' });
    expect(outcomes[2]).toEqual({ ok: true });
    expect((await rows()).map((r) => r['id'])).toEqual(['a', 'c']);
  });

  it('fails an SQL error (missing table) as not retryable', async () => {
    const action = connector.createAction({ sql: `INSERT INTO t_${ns.id}_nope (id) VALUES (\${id})` });
    const [outcome] = await action.send([rec('a', {})]);
    expect(outcome).toMatchObject({
      ok: false,
      retryable: false,
      message: expect.stringContaining('ER_NO_SUCH_TABLE'),
    });
    expect(connector.status().state).toBe('connected');
  });

  it('reports a server that is down: disconnected with the reason, retryable outcomes', async () => {
    const down = createConnector('mysql', { url: `mysql://sluice:sluice@127.0.0.1:${await freePort()}/x` });
    try {
      await down.start();
      expect(down.status()).toMatchObject({
        state: 'disconnected',
        reason: expect.stringContaining('ECONNREFUSED'),
      });
      const [outcome] = await down.createAction({ sql: insert }).send([rec('a', {})]);
      expect(outcome).toMatchObject({ ok: false, retryable: true, code: 'CONNECTOR_UNAVAILABLE' });
    } finally {
      await down.close();
    }
  });

  it('reports wrong credentials as disconnected and retryable', async () => {
    const denied = createConnector('mysql', { url: testServers.mysqlUrl, password: 'wrong' });
    try {
      expect(await denied.testConnection()).toMatchObject({
        state: 'disconnected',
        reason: expect.stringContaining('Access denied'),
      });
      const [outcome] = await denied.createAction({ sql: insert }).send([rec('a', {})]);
      expect(outcome).toMatchObject({ ok: false, retryable: true, code: 'CONNECTOR_UNAVAILABLE' });
    } finally {
      await denied.close();
    }
  });

  it('names the field of a bad config or template', () => {
    expect(() => createConnector('mysql', { url: 'postgres://x' })).toThrow(
      expect.objectContaining({ code: 'CONNECTOR_CONFIG_INVALID', field: 'url' }),
    );
    expect(() => connector.createAction({ sql: insert, maxBatchSize: -1 })).toThrow(
      expect.objectContaining({ field: 'maxBatchSize' }),
    );
    expect(() => connector.createAction({ sql: 'INSERT INTO t VALUES (${})' })).toThrow(
      expect.objectContaining({ code: 'CONNECTOR_CONFIG_INVALID', field: 'sql' }),
    );
  });
});
