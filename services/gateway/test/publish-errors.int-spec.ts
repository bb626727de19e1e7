import { freePort } from '../../../test/support';
import { expectProblem, MAX_PAYLOAD, PublishFixture } from './publish-fixture';
import { basic, basicForKey, startPublishApp, type PublishTestApp } from './publish-test-app';

const f = new PublishFixture();
const { t, post } = f;
beforeAll(() => f.start());
afterAll(() => f.stop());

describe('errors', () => {
  it.each([
    ['a wildcard', t('a/+/x')],
    ['a multi-level wildcard', t('a/#')],
    ['an empty topic', ''],
    ['a topic over 65535 bytes', 'x'.repeat(65_536)],
  ])('400 PUBLISH_TOPIC_INVALID for %s', async (_what, topic) => {
    expectProblem(await post('/api/v5/publish', { topic, payload: 'x' }), 400, 'PUBLISH_TOPIC_INVALID');
  });

  it('400 PUBLISH_PAYLOAD_ENCODING for bad base64', async () => {
    const answer = await post('/api/v5/publish', {
      topic: t('a/b64'),
      payload: '@@@',
      payload_encoding: 'base64',
    });
    expectProblem(answer, 400, 'PUBLISH_PAYLOAD_ENCODING');
  });

  it('400 PUBLISH_REQUEST_INVALID for a body of the wrong shape, and for broken JSON', async () => {
    expectProblem(await post('/api/v5/publish', { topic: t('a/q'), qos: 5 }), 400, 'PUBLISH_REQUEST_INVALID');
    expectProblem(await post('/api/v5/publish', '{"topic": '), 400, 'PUBLISH_REQUEST_INVALID');
  });

  it.each([
    ['no credentials', null],
    ['another scheme', 'Bearer abc'],
    ['a wrong operator key', basic('admin', 'wrong-key-0123456789abcdef')],
    ['an unknown key', basic('slk_0123456789abcdef', 'A'.repeat(43))],
    ['a known key with a wrong secret', 'WRONG_SECRET'],
    ['a revoked key', 'REVOKED'],
  ])('401 UNAUTHORIZED for %s, with WWW-Authenticate', async (_what, authorization) => {
    // keys are made in beforeAll, after the table is built
    const header =
      authorization === 'REVOKED'
        ? basicForKey(f.keyRevoked)
        : authorization === 'WRONG_SECRET'
          ? basic(f.keyA.slice(0, 'slk_'.length + 16), 'B'.repeat(43))
          : authorization;
    const answer = await post('/api/v5/publish', { topic: t('a/auth'), payload: 'x' }, header);
    expectProblem(answer, 401, 'UNAUTHORIZED');
    expect(answer.headers.get('www-authenticate')).toMatch(/^Basic realm="sluice"/);
  });

  it('accepts the whole key as the username with an empty password', async () => {
    expect(
      (await post('/api/v5/publish', { topic: t('a/whole'), payload: 'x' }, basic(f.keyA, ''))).status,
    ).toBe(200);
  });

  it('403 PUBLISH_FORBIDDEN_TOPIC outside the key topic filters, and for a key with none', async () => {
    const outside = await post('/api/v5/publish', { topic: t('b/x'), payload: 'x' }, basicForKey(f.keyA));
    expectProblem(outside, 403, 'PUBLISH_FORBIDDEN_TOPIC');
    const none = await post('/api/v5/publish', { topic: t('a/x'), payload: 'x' }, basicForKey(f.keyNone));
    expectProblem(none, 403, 'PUBLISH_FORBIDDEN_TOPIC');
  });

  it('413 PUBLISH_PAYLOAD_TOO_LARGE over the payload limit (counted after base64 decoding)', async () => {
    const atLimit = Buffer.alloc(MAX_PAYLOAD, 1).toString('base64'); // longer than the limit as text
    expect(
      (await post('/api/v5/publish', { topic: t('a/big'), payload: atLimit, payload_encoding: 'base64' }))
        .status,
    ).toBe(200);
    const problem = expectProblem(
      await post('/api/v5/publish', { topic: t('a/big'), payload: 'x'.repeat(MAX_PAYLOAD + 1) }),
      413,
      'PUBLISH_PAYLOAD_TOO_LARGE',
    );
    expect(problem['detail']).toBe(
      `payload of ${MAX_PAYLOAD + 1} bytes exceeds the limit of ${MAX_PAYLOAD} bytes`,
    );
  });

  it("413 as problem+json when the body is over the HTTP server's JSON body limit", async () => {
    const answer = await post('/api/v5/publish', { topic: t('a/huge'), payload: 'x'.repeat(200_000) });
    expectProblem(answer, 413, 'PUBLISH_PAYLOAD_TOO_LARGE');
  });

  it('429 RATE_LIMITED with Retry-After when the key used up its messages per second', async () => {
    const slow = basicForKey(f.keySlow);
    // a batch larger than the whole per-second budget can never pass
    const tooBig = await post(
      '/api/v5/publish/bulk',
      [1, 2, 3].map((i) => ({ topic: t('a/s'), payload: `${i}` })),
      slow,
    );
    expectProblem(tooBig, 429, 'RATE_LIMITED');
    expect(tooBig.headers.get('retry-after')).toBe('1');
    // 2 per second: within a handful of back-to-back requests one is refused
    let limited: Awaited<ReturnType<typeof post>> | undefined;
    for (let i = 0; i < 20 && !limited; i++) {
      const answer = await post('/api/v5/publish', { topic: t('a/slow'), payload: `${i}` }, slow);
      if (answer.status === 429) limited = answer;
      else expect(answer.status).toBe(200);
    }
    expect(limited).toBeDefined();
    expectProblem(limited!, 429, 'RATE_LIMITED');
    expect(Number(limited!.headers.get('retry-after'))).toBe(1);
  });

  it('carries the caller trace id from traceparent into the problem', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const answer = await post('/api/v5/publish', { topic: '' }, f.admin, {
      traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
    });
    expect(answer.body.traceId).toBe(traceId);
  });
});

describe('503 BROKER_UNAVAILABLE', () => {
  let down: PublishTestApp;
  beforeAll(async () => {
    const closedPort = await freePort();
    down = await startPublishApp(f.adminKey, `mqtt://127.0.0.1:${closedPort}`, {
      SLUICE_PUBLISH_CONNECT_TIMEOUT_MS: 300,
      SLUICE_PUBLISH_RETRY_AFTER_SECONDS: 7,
    });
  });
  afterAll(() => down?.close());

  it('answers a publish and a bulk with 503 and Retry-After when the broker cannot be reached', async () => {
    for (const [path, body] of [
      ['/api/v5/publish', { topic: t('a/down'), payload: 'x', qos: 1 }],
      ['/api/v5/publish/bulk', [{ topic: t('a/down'), payload: 'x' }]],
    ] as const) {
      const response = await fetch(`${down.baseUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: f.admin },
        body: JSON.stringify(body),
      });
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('7');
      const problem = (await response.json()) as { code: string; detail: string };
      expect(problem.code).toBe('BROKER_UNAVAILABLE');
      expect(problem.detail).toMatch(/could not connect within 300 ms/);
    }
  });
});

describe('503 BROKER_UNAVAILABLE without a broker', () => {
  it('answers 503 when no broker is configured at all', async () => {
    const none = await startPublishApp(f.adminKey, undefined);
    try {
      const response = await fetch(`${none.baseUrl}/api/v5/publish`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: f.admin },
        body: JSON.stringify({ topic: t('a/none'), payload: 'x' }),
      });
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('60');
      expect(((await response.json()) as { detail: string }).detail).toMatch(/no broker is configured/);
    } finally {
      await none.close();
    }
  });
});
