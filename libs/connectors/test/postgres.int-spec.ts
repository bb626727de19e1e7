import { Client } from 'pg';
import { createConnector, type Connector, type DeliveryRecord } from '@sluice/connectors';
import { freePort, testNamespace, testServers } from '../../../test/support';

const ns = testNamespace();
const table = `${ns.pgSchema}.readings`;
const rec = (id: string, payload: unknown, topic = 't/1'): DeliveryRecord => ({
  id,
  data: { topic, payload },
});

describe('postgres connector', () => {
  const admin = new Client({ connectionString: testServers.postgresUrl });
  let connector: Connector;
  const rows = async () =>
    (
      await admin.query<{ id: string; topic: string; temp: number; doc: unknown }>(
        `SELECT * FROM ${table} ORDER BY id`,
      )
    ).rows;
  const statements = async () =>
    Number(
      (await admin.query<{ n: string }>(`SELECT count(*) AS n FROM ${ns.pgSchema}.statements`)).rows[0]!.n,
    );

  beforeAll(async () => {
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${ns.pgSchema}`);
    await admin.query(
      `CREATE TABLE ${table} (id text PRIMARY KEY, topic text NOT NULL, temp double precision, doc jsonb)`,
    );
    // a statement-level trigger counts INSERT statements, to see that a batch is one statement
    await admin.query(`CREATE TABLE ${ns.pgSchema}.statements (at timestamptz DEFAULT now())`);
    await admin.query(`CREATE FUNCTION ${ns.pgSchema}.count_statement() RETURNS trigger LANGUAGE plpgsql AS
      $$ BEGIN INSERT INTO ${ns.pgSchema}.statements DEFAULT VALUES; RETURN NULL; END $$`);
    await admin.query(`CREATE TRIGGER counted AFTER INSERT ON ${table}
      FOR EACH STATEMENT EXECUTE FUNCTION ${ns.pgSchema}.count_statement()`);
    connector = createConnector('postgres', { url: testServers.postgresUrl, poolSize: 2 });
    await connector.start();
  });

  afterAll(async () => {
    await connector.close();
    await admin.query(`DROP SCHEMA ${ns.pgSchema} CASCADE`);
    await admin.end();
  });

  beforeEach(async () => {
    await admin.query(`TRUNCATE ${table}, ${ns.pgSchema}.statements`);
  });

  const upsert = `INSERT INTO ${table} (id, topic, temp, doc) VALUES (\${id}, '\${topic}', \${payload.temp}, \${payload})
    ON CONFLICT (id) DO NOTHING`;

  it('writes a batch as one multi-row INSERT with bound parameters and reads back', async () => {
    expect(connector.status()).toEqual({ state: 'connected' });
    const action = connector.createAction({ sql: upsert });
    const outcomes = await action.send([
      rec('a', '{"temp":20.5}'),
      rec('b', { temp: -3 }, "t/'quoted'"),
      rec('c', { other: true }),
    ]);
    expect(outcomes).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    expect(await rows()).toEqual([
      { id: 'a', topic: 't/1', temp: 20.5, doc: { temp: 20.5 } },
      { id: 'b', topic: "t/'quoted'", temp: -3, doc: { temp: -3 } },
      { id: 'c', topic: 't/1', temp: null, doc: { other: true } },
    ]);
    expect(await statements()).toBe(1);
  });

  it('is idempotent by record id: a redelivered batch adds no rows', async () => {
    const action = connector.createAction({ sql: upsert });
    const batch = [rec('a', { temp: 1 }), rec('b', { temp: 2 })];
    await action.send(batch);
    expect(await action.send([...batch, rec('c', { temp: 3 })])).toEqual([
      { ok: true },
      { ok: true },
      { ok: true },
    ]);
    expect((await rows()).map((r) => [r.id, r.temp])).toEqual([
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ]);
  });

  it('splits batches by maxBatchSize', async () => {
    const action = connector.createAction({ sql: upsert, maxBatchSize: 2 });
    const outcomes = await action.send(['a', 'b', 'c', 'd', 'e'].map((id) => rec(id, { temp: 1 })));
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(await rows()).toHaveLength(5);
    expect(await statements()).toBe(3);
  });

  it('isolates a poison record: the others land, it fails for good with the SQL error', async () => {
    const action = connector.createAction({ sql: upsert });
    const outcomes = await action.send([
      rec('a', { temp: 1 }),
      rec('bad', { temp: 'hot' }),
      rec('c', { temp: 3 }),
    ]);
    expect(outcomes[0]).toEqual({ ok: true });
    expect(outcomes[1]).toMatchObject({ ok: false, retryable: false, code: 'DELIVERY_FAILED' });
    expect(outcomes[1]).toMatchObject({ message: expect.stringContaining('22P02') });
    expect(outcomes[2]).toEqual({ ok: true });
    expect((await rows()).map((r) => r.id)).toEqual(['a', 'c']);
  });

  it('fails an SQL error (missing table) as not retryable and stays connected', async () => {
    const action = connector.createAction({ sql: `INSERT INTO ${ns.pgSchema}.nope (id) VALUES (\${id})` });
    const [outcome] = await action.send([rec('a', {})]);
    expect(outcome).toMatchObject({ ok: false, retryable: false, message: expect.stringContaining('42P01') });
    expect(connector.status().state).toBe('connected');
  });

  it('runs a non-INSERT template one statement per record', async () => {
    await connector.createAction({ sql: upsert }).send([rec('a', { temp: 1 }), rec('b', { temp: 2 })]);
    const update = connector.createAction({
      sql: `UPDATE ${table} SET temp = \${payload.t} WHERE id = \${id}`,
    });
    expect(await update.send([rec('a', { t: 10 }), rec('b', { t: 20 })])).toEqual([
      { ok: true },
      { ok: true },
    ]);
    expect((await rows()).map((r) => r.temp)).toEqual([10, 20]);
  });

  it('reports a server that is down: disconnected with the reason, retryable outcomes', async () => {
    const down = createConnector('postgres', {
      url: `postgres://sluice:sluice@127.0.0.1:${await freePort()}/x`,
    });
    try {
      await down.start();
      expect(down.status()).toMatchObject({
        state: 'disconnected',
        reason: expect.stringContaining('ECONNREFUSED'),
      });
      const outcomes = await down.createAction({ sql: upsert }).send([rec('a', {}), rec('b', {})]);
      expect(outcomes).toEqual([
        expect.objectContaining({ ok: false, retryable: true, code: 'CONNECTOR_UNAVAILABLE' }),
        expect.objectContaining({ ok: false, retryable: true, code: 'CONNECTOR_UNAVAILABLE' }),
      ]);
    } finally {
      await down.close();
    }
  });

  it('reports a missing database as disconnected, retryable until someone fixes it', async () => {
    // why a database and not a password: the test server trusts loopback connections
    const denied = createConnector('postgres', { url: testServers.postgresUrl, database: `nope_${ns.id}` });
    try {
      expect(await denied.testConnection()).toMatchObject({
        state: 'disconnected',
        reason: expect.stringContaining('does not exist'),
      });
      const [outcome] = await denied.createAction({ sql: upsert }).send([rec('a', {})]);
      expect(outcome).toMatchObject({ ok: false, retryable: true, code: 'CONNECTOR_UNAVAILABLE' });
    } finally {
      await denied.close();
    }
  });

  it('names the field of a bad config or template', () => {
    expect(() => createConnector('postgres', { url: 'mysql://x' })).toThrow(
      expect.objectContaining({ code: 'CONNECTOR_CONFIG_INVALID', field: 'url' }),
    );
    expect(() => createConnector('postgres', { url: testServers.postgresUrl, poolSize: 0 })).toThrow(
      expect.objectContaining({ field: 'poolSize' }),
    );
    expect(() => connector.createAction({ sql: 'INSERT INTO t VALUES (${id' })).toThrow(
      expect.objectContaining({ code: 'CONNECTOR_CONFIG_INVALID', field: 'sql' }),
    );
    expect(() => connector.createAction({ sql: '  ' })).toThrow(expect.objectContaining({ field: 'sql' }));
  });
});
