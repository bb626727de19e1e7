import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnector, type Connector, type DeliveryRecord } from '@sluice/connectors';
import { freePort } from '../../../test/support';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * A local target: answers the status set for a path (default 200) with the body `nope`, never
 * answers `/hang`, and answers `/hooks/big` 500 with 100 KB of `x` after `oops `.
 */
function target(server: Server, seen: Seen[], statusFor: Map<string, number>) {
  server.on('request', (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({
        method: req.method!,
        url: req.url!,
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      });
      if (req.url === '/hang') return;
      if (req.url === '/hooks/big') return void res.writeHead(500).end(`oops ${'x'.repeat(100_000)}`);
      res.writeHead(statusFor.get(req.url!) ?? 200).end('nope');
    });
  });
  return server;
}

const record = (
  id: string,
  data: Record<string, unknown>,
  headers?: Record<string, string>,
): DeliveryRecord => ({
  id,
  data,
  headers,
});

describe('http connector', () => {
  const seen: Seen[] = [];
  const statusFor = new Map<string, number>();
  let server: Server;
  let port: number;
  let connector: Connector;

  beforeAll(async () => {
    port = await freePort();
    server = target(createServer(), seen, statusFor);
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    connector = createConnector('http', {
      url: `http://127.0.0.1:${port}/hooks`,
      headers: { 'x-app': 'sluice' },
    });
    await connector.start();
  });

  afterAll(async () => {
    await connector.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    seen.length = 0;
  });

  it('delivers a batch with rendered path, headers, body and the traceparent', async () => {
    expect(connector.status()).toEqual({ state: 'connected' });
    const action = connector.createAction({
      method: 'put',
      path: '/${clientid}?t=${topic}',
      headers: { 'x-temp': '${payload.temp}' },
      body: '{"id":"${id}","t":${payload.temp}}',
    });
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const outcomes = await action.send([
      record('m1', { clientid: 'c1', topic: 'a', payload: '{"temp":20}' }, { traceparent }),
      record('m2', { clientid: 'c2', topic: 'b', payload: { temp: 21.5 } }),
    ]);
    expect(outcomes).toEqual([{ ok: true }, { ok: true }]);
    const byUrl = new Map(seen.map((s) => [s.url, s]));
    const first = byUrl.get('/hooks/c1?t=a')!;
    expect(first.method).toBe('PUT');
    expect(JSON.parse(first.body)).toEqual({ id: 'm1', t: 20 });
    expect(first.headers['x-temp']).toBe('20');
    expect(first.headers['x-app']).toBe('sluice');
    expect(first.headers['traceparent']).toBe(traceparent);
    expect(JSON.parse(byUrl.get('/hooks/c2?t=b')!.body)).toEqual({ id: 'm2', t: 21.5 });
    expect(byUrl.get('/hooks/c2?t=b')!.headers['traceparent']).toBeUndefined();
  });

  it('sends the whole rule output as JSON by default', async () => {
    const action = connector.createAction({});
    const data = { topic: 't/1', payload: { a: [1, 2] }, qos: 1 };
    expect(await action.send([record('m3', data)])).toEqual([{ ok: true }]);
    expect(seen[0]!.method).toBe('POST');
    expect(seen[0]!.url).toBe('/hooks');
    expect(seen[0]!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(seen[0]!.body)).toEqual(data);
  });

  it('fails 400 for good and 503, 429, 408 as retryable', async () => {
    for (const [path, status] of [
      ['/bad', 400],
      ['/busy', 503],
      ['/slow', 429],
      ['/late', 408],
    ] as const) {
      statusFor.set(`/hooks${path}`, status);
    }
    const send = async (path: string) => (await connector.createAction({ path }).send([record('x', {})]))[0];
    expect(await send('/bad')).toMatchObject({ ok: false, retryable: false, code: 'DELIVERY_FAILED' });
    expect(await send('/bad')).toMatchObject({ message: 'HTTP 400: nope' });
    expect(await send('/busy')).toMatchObject({ ok: false, retryable: true, code: 'DELIVERY_FAILED' });
    expect(await send('/slow')).toMatchObject({ ok: false, retryable: true });
    expect(await send('/late')).toMatchObject({ ok: false, retryable: true });
  });

  it("keeps the connector URL's query after the action's path", async () => {
    const keyed = createConnector('http', { url: `http://127.0.0.1:${port}/api?key=k1` });
    try {
      expect(
        await keyed.createAction({ path: '/d/${clientid}?t=1' }).send([record('q', { clientid: 'c9' })]),
      ).toEqual([{ ok: true }]);
      expect(await keyed.createAction({}).send([record('q2', {})])).toEqual([{ ok: true }]);
      expect(seen.map((s) => s.url)).toEqual(['/api/d/c9?t=1&key=k1', '/api?key=k1']);
    } finally {
      await keyed.close();
    }
  });

  it('sends user:password of the URL as Basic authentication, unless a header sets authorization', async () => {
    const url = `http://al%40ice:p%3Ass@127.0.0.1:${port}/hooks`;
    const basic = createConnector('http', { url });
    const bearer = createConnector('http', { url, headers: { authorization: 'Bearer t' } });
    try {
      expect(await basic.createAction({ path: '/b' }).send([record('b', {})])).toEqual([{ ok: true }]);
      expect(await bearer.createAction({ path: '/t' }).send([record('t', {})])).toEqual([{ ok: true }]);
      const auth = (path: string) => seen.find((s) => s.url === path)?.headers['authorization'];
      expect(auth('/hooks/b')).toBe(`Basic ${Buffer.from('al@ice:p:ss').toString('base64')}`);
      expect(auth('/hooks/t')).toBe('Bearer t');
    } finally {
      await basic.close();
      await bearer.close();
    }
  });

  it('follows configured success and retryable status lists', async () => {
    statusFor.set('/hooks/teapot', 418);
    statusFor.set('/hooks/gone', 410);
    const teapotOk = connector.createAction({ path: '/teapot', successStatus: ['2xx', 418] });
    expect(await teapotOk.send([record('x', {})])).toEqual([{ ok: true }]);
    const goneRetry = connector.createAction({ path: '/gone', retryableStatus: [410] });
    expect((await goneRetry.send([record('x', {})]))[0]).toMatchObject({ ok: false, retryable: true });
  });

  it('times out a request the server never answers, as retryable', async () => {
    const hang = createConnector('http', { url: `http://127.0.0.1:${port}` }).createAction({
      path: '/hang',
      requestTimeoutMs: 200,
    });
    expect(hang.maxBatchSize).toBe(1);
    expect((await hang.send([record('x', {})]))[0]).toMatchObject({
      ok: false,
      retryable: true,
      code: 'DELIVERY_TIMEOUT',
    });
  });

  it('names a failure by the start of a large response body, and reads the rest so the connection serves on', async () => {
    const small = createConnector('http', { url: `http://127.0.0.1:${port}/hooks`, poolSize: 1 });
    try {
      const [big] = await small.createAction({ path: '/big' }).send([record('x', {})]);
      expect(big).toMatchObject({ ok: false, retryable: true, message: `HTTP 500: oops ${'x'.repeat(195)}` });
      // the one connection of the pool carries the next request: the 100 KB body did not stall it
      expect(await small.createAction({ path: '/after' }).send([record('y', {})])).toEqual([{ ok: true }]);
      expect(seen.map((s) => s.url)).toEqual(['/hooks/big', '/hooks/after']);
    } finally {
      await small.close();
    }
  });

  it('times out a request still waiting in the pool when its deadline passes, without sending it', async () => {
    const one = createConnector('http', { url: `http://127.0.0.1:${port}`, poolSize: 1 });
    try {
      // the pool's only connection waits for /hang until 1,500 ms
      const hanging = one.createAction({ path: '/hang', requestTimeoutMs: 1_500 }).send([record('a', {})]);
      await vi.waitFor(() => expect(seen).toHaveLength(1));
      const started = Date.now();
      const [queued] = await one
        .createAction({ path: '/queued', requestTimeoutMs: 200 })
        .send([record('b', {})]);
      expect(queued).toMatchObject({ ok: false, retryable: true, code: 'DELIVERY_TIMEOUT' });
      // settled by its own deadline, not when the connection came free
      expect(Date.now() - started).toBeLessThan(1_000);
      expect((await hanging)[0]).toMatchObject({ code: 'DELIVERY_TIMEOUT' });
      // aborted before it had a socket: the target never saw it
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(seen.map((s) => s.url)).toEqual(['/hang']);
    } finally {
      await one.close();
    }
  });

  it('names the field of a bad config or template', () => {
    expect(() => createConnector('http', { url: 'ftp://x' })).toThrow(
      expect.objectContaining({ code: 'CONNECTOR_CONFIG_INVALID', field: 'url' }),
    );
    expect(() => connector.createAction({ body: '{"a": ${payload.a' })).toThrow(
      expect.objectContaining({ code: 'CONNECTOR_CONFIG_INVALID', field: 'body' }),
    );
    expect(() => connector.createAction({ headers: { 'x-a': '${}' } })).toThrow(
      expect.objectContaining({ field: 'headers.x-a' }),
    );
    expect(() => connector.createAction({ method: 'BREW' })).toThrow(
      expect.objectContaining({ field: 'method' }),
    );
    expect(() => connector.createAction({ retryableStatus: ['5xy'] })).toThrow(
      expect.objectContaining({ field: 'retryableStatus[0]' }),
    );
    expect(() => createConnector('carrier-pigeon', {})).toThrow(
      expect.objectContaining({ code: 'CONNECTOR_KIND_UNKNOWN' }),
    );
  });

  it('reports a server that is down: retryable outcome, disconnected with the reason', async () => {
    const downPort = await freePort();
    const down = createConnector('http', { url: `http://127.0.0.1:${downPort}` });
    try {
      await down.start();
      expect(down.status()).toMatchObject({
        state: 'disconnected',
        reason: expect.stringContaining('ECONNREFUSED'),
      });
      const [outcome] = await down.createAction({}).send([record('x', {})]);
      expect(outcome).toMatchObject({ ok: false, retryable: true, code: 'CONNECTOR_UNAVAILABLE' });
      expect(await down.testConnection()).toMatchObject({ state: 'disconnected' });
    } finally {
      await down.close();
    }
    expect(down.status()).toEqual({ state: 'disconnected', reason: 'closed' });
  });

  it('follows a target that goes away and comes back: disconnected with the reason, then connected', async () => {
    const seenHere: Seen[] = [];
    const flakyPort = await freePort();
    const listen = async () => {
      const server = target(createServer(), seenHere, new Map());
      await new Promise<void>((resolve) => server.listen(flakyPort, '127.0.0.1', resolve));
      return server;
    };
    const stop = async (server: Server) => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    };
    let server = await listen();
    const flaky = createConnector('http', { url: `http://127.0.0.1:${flakyPort}` });
    try {
      await flaky.start();
      const action = flaky.createAction({});
      expect(await action.send([record('1', {})])).toEqual([{ ok: true }]);
      await stop(server);
      const [outcome] = await action.send([record('2', {})]);
      expect(outcome).toMatchObject({ ok: false, retryable: true, code: 'CONNECTOR_UNAVAILABLE' });
      expect(flaky.status()).toMatchObject({
        state: 'disconnected',
        reason: expect.stringContaining('ECONNREFUSED'),
      });
      server = await listen();
      expect(await action.send([record('3', {})])).toEqual([{ ok: true }]);
      expect(flaky.status()).toEqual({ state: 'connected' });
      expect(seenHere).toHaveLength(2);
    } finally {
      await flaky.close();
      await stop(server);
    }
  });

  it('answers a closed connector with a retryable CONNECTOR_CLOSED, never a throw', async () => {
    const c = createConnector('http', { url: `http://127.0.0.1:${port}` });
    const action = c.createAction({});
    await c.close();
    expect(await action.send([record('x', {})])).toEqual([
      { ok: false, retryable: true, code: 'CONNECTOR_CLOSED', message: 'connector closed' },
    ]);
  });
});

describe('http connector over TLS', () => {
  it('verifies the server with the configured CA, and refuses an unknown one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-tls-'));
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'ignore' },
    );
    const pem = { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
    rmSync(dir, { recursive: true });
    const seen: Seen[] = [];
    const server = target(createHttpsServer(pem), seen, new Map());
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    const trusted = createConnector('http', { url: `https://127.0.0.1:${port}`, tls: { ca: pem.cert } });
    const untrusted = createConnector('http', { url: `https://127.0.0.1:${port}` });
    try {
      expect(await trusted.createAction({}).send([record('t1', { a: 1 })])).toEqual([{ ok: true }]);
      expect(seen).toHaveLength(1);
      const [refused] = await untrusted.createAction({}).send([record('t2', { a: 1 })]);
      expect(refused).toMatchObject({ ok: false, retryable: true, code: 'CONNECTOR_UNAVAILABLE' });
      expect(untrusted.status()).toMatchObject({
        state: 'disconnected',
        reason: expect.stringContaining('CERT'),
      });
      expect(seen).toHaveLength(1);
    } finally {
      await Promise.all([trusted.close(), untrusted.close()]);
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
