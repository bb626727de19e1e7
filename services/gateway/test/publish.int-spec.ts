import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import mqtt, { type IPublishPacket, type MqttClient } from 'mqtt';
import { parse } from 'yaml';
import { eventually, freePort, testNamespace, testServers } from '../../../test/support';
import { basic, basicForKey, startPublishApp, type PublishTestApp } from './publish-test-app';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are checked field by field
type JsonAnswer = any;

interface Received {
  topic: string;
  payload: Buffer;
  qos: number;
  retain: boolean;
  properties: IPublishPacket['properties'];
}

const ns = testNamespace();
const adminKey = 'test-admin-key-0123456789abcdef';
const admin = basic('admin', adminKey);
const MAX_PAYLOAD = 1024;
let gw: PublishTestApp;
let subscriber: MqttClient;
const received: Received[] = [];
let tenantId: string;
let otherTenantId: string;
/** May publish under `<prefix>a/#` only, default rate limit. */
let keyA: string;
/** May publish anywhere under the prefix, 2 messages per second. */
let keySlow: string;
/** Allowed no topic at all. */
let keyNone: string;
let keyRevoked: string;

const t = (suffix: string) => `${ns.topicPrefix}${suffix}`;
const receivedOn = (topic: string) => received.filter((message) => message.topic === topic);
/** Waits for the first message on `topic`. */
const firstOn = (topic: string) =>
  eventually(() => {
    const [message] = receivedOn(topic);
    expect(message).toBeDefined();
    return message!;
  });

/** `authorization: null` sends no Authorization header. */
async function post(path: string, body: unknown, authorization: string | null = admin, headers = {}) {
  const response = await fetch(`${gw.baseUrl}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(authorization ? { authorization } : {}),
      ...headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  const json: JsonAnswer =
    text && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text;
  return { status: response.status, headers: response.headers, body: json };
}

function expectProblem(
  answer: Awaited<ReturnType<typeof post>>,
  status: number,
  code: string,
): Record<string, unknown> {
  expect({ status: answer.status, code: answer.body?.code }).toEqual({ status, code });
  expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(answer.body).toEqual({
    type: `urn:sluice:error:${code}`,
    title: expect.any(String),
    status,
    detail: expect.any(String),
    code,
    traceId: expect.stringMatching(/^[0-9a-f]{32}$/),
  });
  return answer.body;
}

beforeAll(async () => {
  gw = await startPublishApp(adminKey, testServers.mqttUrl, {
    SLUICE_PUBLISH_MAX_PAYLOAD_BYTES: MAX_PAYLOAD,
    SLUICE_PUBLISH_MAX_BATCH: 50,
  });
  tenantId = (await gw.tenants.create({ name: `pub-${ns.id}`, plan: 'free' })).id;
  otherTenantId = (await gw.tenants.create({ name: `other-${ns.id}`, plan: 'free' })).id;
  keyA = (await gw.apiKeys.create(tenantId, { name: 'a', publishTopics: [t('a/#')], rateLimit: null })).key;
  keySlow = (await gw.apiKeys.create(tenantId, { name: 'slow', publishTopics: [t('#')], rateLimit: 2 })).key;
  keyNone = (await gw.apiKeys.create(tenantId, { name: 'none', publishTopics: [], rateLimit: null })).key;
  const revoked = await gw.apiKeys.create(tenantId, {
    name: 'revoked',
    publishTopics: [t('#')],
    rateLimit: null,
  });
  await gw.apiKeys.revoke(tenantId, revoked.apiKey.id);
  keyRevoked = revoked.key;

  subscriber = await mqtt.connectAsync(testServers.mqttUrl, { protocolVersion: 5, clean: true });
  subscriber.on('message', (topic, payload, packet) =>
    received.push({ topic, payload, qos: packet.qos, retain: packet.retain, properties: packet.properties }),
  );
  // rap: the retain flag arrives as published, so the test can see it on a live subscription
  await subscriber.subscribeAsync(t('a/#'), { qos: 2, rap: true });
  await subscriber.subscribeAsync(t('b/#'), { qos: 2, rap: true });
});

afterAll(async () => {
  // clear the retained message this file left on the broker
  await subscriber?.publishAsync(t('a/retained'), '', { qos: 1, retain: true });
  await subscriber?.endAsync();
  await gw?.close();
});

describe('POST /api/v5/publish', () => {
  it('publishes at QoS 1 with retain and every MQTT 5 property, and answers with a 32-hex id', async () => {
    const answer = await post(
      '/api/v5/publish',
      {
        topic: t('a/retained'),
        payload: '{"temp":21.5}',
        qos: 1,
        retain: true,
        properties: {
          payload_format_indicator: 1,
          message_expiry_interval: 3600,
          response_topic: t('a/reply'),
          correlation_data: 'req-42',
          user_properties: { source: 'http', tag: ['x', 'y'] },
          content_type: 'application/json',
        },
      },
      basicForKey(keyA),
    );
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ id: expect.stringMatching(/^[0-9A-F]{32}$/) });
    // QoS 1 answers after PUBACK, so the broker already routed it; a subscriber sees it promptly
    const [message] = await eventually(() => {
      expect(receivedOn(t('a/retained'))).toHaveLength(1);
      return receivedOn(t('a/retained'));
    });
    expect(message!.payload.toString()).toBe('{"temp":21.5}');
    expect(message!.qos).toBe(1);
    expect(message!.retain).toBe(true);
    const properties = message!.properties!;
    expect(properties.payloadFormatIndicator).toBe(true);
    // the broker forwards the remaining lifetime: at most what was sent, a second less at worst
    expect(properties.messageExpiryInterval).toBeGreaterThanOrEqual(3599);
    expect(properties.messageExpiryInterval).toBeLessThanOrEqual(3600);
    expect(properties.responseTopic).toBe(t('a/reply'));
    expect(Buffer.from(properties.correlationData!).toString()).toBe('req-42');
    expect(properties.userProperties).toEqual({ source: 'http', tag: ['x', 'y'] });
    expect(properties.contentType).toBe('application/json');

    // and it is retained: a new subscriber gets it with the retain flag
    const late = await mqtt.connectAsync(testServers.mqttUrl, { protocolVersion: 5 });
    try {
      const retained = new Promise<IPublishPacket>((done) =>
        late.on('message', (_t, _p, packet) => done(packet)),
      );
      await late.subscribeAsync(t('a/retained'), { qos: 1 });
      const packet = await retained;
      expect(packet.retain).toBe(true);
      expect(packet.payload.toString()).toBe('{"temp":21.5}');
    } finally {
      await late.endAsync();
    }
  });

  it('publishes a base64 payload at QoS 2 as the exact bytes, not retained', async () => {
    const bytes = Buffer.from([0x00, 0xff, 0x10, 0x80, 0x7f]);
    const answer = await post('/api/v5/publish', {
      topic: t('a/binary'),
      payload: bytes.toString('base64'),
      payload_encoding: 'base64',
      qos: 2,
    });
    expect(answer.status).toBe(200);
    const message = await eventually(() => {
      expect(receivedOn(t('a/binary'))).toHaveLength(1);
      return receivedOn(t('a/binary'))[0]!;
    });
    expect(message.payload.equals(bytes)).toBe(true);
    expect([message.qos, message.retain]).toEqual([2, false]);
  });

  it('publishes at QoS 0 by default', async () => {
    expect((await post('/api/v5/publish', { topic: t('a/qos0'), payload: 'zero' })).status).toBe(200);
    const message = await firstOn(t('a/qos0'));
    expect([message.payload.toString(), message.qos]).toEqual(['zero', 0]);
  });

  it("answers 202 with EMQX's no_matching_subscribers when nobody subscribed (QoS 1)", async () => {
    const answer = await post('/api/v5/publish', { topic: t('nobody/here'), payload: 'x', qos: 1 });
    expect(answer.status).toBe(202);
    expect(answer.body).toEqual({
      id: expect.stringMatching(/^[0-9A-F]{32}$/),
      message: 'no_matching_subscribers',
      reason_code: 16,
    });
  });

  it('sends one payload to every topic of a topics list, answered item by item', async () => {
    const answer = await post('/api/v5/publish', {
      topics: [t('a/list1'), t('b/list2')],
      payload: 'fan',
      qos: 1,
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual([
      { index: 0, topic: t('a/list1'), status: 'published', id: expect.stringMatching(/^[0-9A-F]{32}$/) },
      { index: 1, topic: t('b/list2'), status: 'published', id: expect.stringMatching(/^[0-9A-F]{32}$/) },
    ]);
    await eventually(() => {
      expect(receivedOn(t('a/list1')).map((m) => m.payload.toString())).toEqual(['fan']);
      expect(receivedOn(t('b/list2')).map((m) => m.payload.toString())).toEqual(['fan']);
    });
  });

  it('rejects a topics list whole when one topic is invalid: nothing is published', async () => {
    const answer = await post('/api/v5/publish', { topics: [t('a/never'), t('a/+')], payload: 'no' });
    expectProblem(answer, 400, 'PUBLISH_TOPIC_INVALID');
    await post('/api/v5/publish', { topic: t('a/never-marker'), payload: 'm', qos: 1 });
    await eventually(() => receivedOn(t('a/never-marker')).length === 1);
    expect(receivedOn(t('a/never'))).toEqual([]);
  });
});

describe('POST /api/v5/publish/bulk', () => {
  it('publishes the valid items and reports each invalid one, with 207', async () => {
    const answer = await post(
      '/api/v5/publish/bulk',
      [
        { topic: t('a/bulk1'), payload: 'one', qos: 1 },
        { topic: t('a/+/wild'), payload: 'bad topic' },
        { topic: t('b/forbidden'), payload: 'not allowed for key A' },
        { topic: t('a/bulk-b64'), payload: 'not base64!', payload_encoding: 'base64' },
        { topic: t('a/bulk2'), payload: 'two', qos: 2, retain: false },
        { payload: 'no topic' },
      ],
      basicForKey(keyA),
    );
    expect(answer.status).toBe(207);
    const items = answer.body as Array<Record<string, JsonAnswer>>;
    expect(items.map((item) => [item['index'], item['status'], item['error']?.code ?? null])).toEqual([
      [0, 'published', null],
      [1, 'failed', 'PUBLISH_TOPIC_INVALID'],
      [2, 'failed', 'PUBLISH_FORBIDDEN_TOPIC'],
      [3, 'failed', 'PUBLISH_PAYLOAD_ENCODING'],
      [4, 'published', null],
      [5, 'failed', 'PUBLISH_REQUEST_INVALID'],
    ]);
    expect(items[2]).toMatchObject({ topic: t('b/forbidden'), error: { status: 403 } });
    expect(items[1]!['error'].status).toBe(400);
    await eventually(() => {
      expect(receivedOn(t('a/bulk1')).map((m) => [m.payload.toString(), m.qos])).toEqual([['one', 1]]);
      expect(receivedOn(t('a/bulk2')).map((m) => [m.payload.toString(), m.qos])).toEqual([['two', 2]]);
    });
    expect(receivedOn(t('b/forbidden'))).toEqual([]);
    expect(receivedOn(t('a/bulk-b64'))).toEqual([]);
  });

  it('answers 200 when every item was published, in request order', async () => {
    const items = Array.from({ length: 5 }, (_, i) => ({
      topic: t('a/ordered'),
      payload: String(i),
      qos: 1,
    }));
    const answer = await post('/api/v5/publish/bulk', items);
    expect(answer.status).toBe(200);
    expect((answer.body as Array<{ status: string }>).every((item) => item.status === 'published')).toBe(
      true,
    );
    await eventually(() =>
      expect(receivedOn(t('a/ordered')).map((m) => m.payload.toString())).toEqual(['0', '1', '2', '3', '4']),
    );
  });

  it('answers an empty list with 400 BULK_EMPTY', async () => {
    const problem = expectProblem(await post('/api/v5/publish/bulk', []), 400, 'BULK_EMPTY');
    expect(problem['detail']).toMatch(/empty list/);
  });

  it('answers a body that is not a list with 400', async () => {
    expectProblem(await post('/api/v5/publish/bulk', { topic: t('a/x') }), 400, 'PUBLISH_REQUEST_INVALID');
  });
});

describe("BifroMQ's POST /pub", () => {
  async function pub(
    headers: Record<string, string>,
    body: string | Buffer,
    authorization = basicForKey(keyA),
  ) {
    const response = await fetch(`${gw.baseUrl}/pub`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', authorization, ...headers },
      body,
    });
    return { status: response.status, headers: response.headers, text: await response.text() };
  }

  it('publishes the raw body with the topic, qos, retain and expiry headers, answering OK', async () => {
    const bytes = Buffer.from([1, 2, 3, 0, 255]);
    const answer = await pub(
      {
        topic: t('a/bifromq'),
        qos: '1',
        retain: 'false',
        expiry_seconds: '120',
        tenant_id: tenantId,
        client_type: 'x',
      },
      bytes,
    );
    expect([answer.status, answer.text]).toEqual([200, 'OK']);
    expect(answer.headers.get('x-message-id')).toMatch(/^[0-9A-F]{32}$/);
    const message = await firstOn(t('a/bifromq'));
    expect(message.payload.equals(bytes)).toBe(true);
    expect(message.qos).toBe(1);
    expect(message.properties?.messageExpiryInterval).toBeGreaterThanOrEqual(119);
  });

  it('answers NO_MATCH when nobody subscribed', async () => {
    const answer = await pub({ topic: t('a-nobody'), qos: '1' }, 'x', admin);
    expect([answer.status, answer.text]).toEqual([200, 'NO_MATCH']);
  });

  it("refuses another tenant's tenant_id with 403 FORBIDDEN", async () => {
    const answer = await pub({ topic: t('a/x'), qos: '0', tenant_id: otherTenantId }, 'x');
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.text).code).toBe('FORBIDDEN');
  });

  it('refuses a missing qos header with 400, and a body over the limit with 413', async () => {
    const missing = await pub({ topic: t('a/x') }, 'x');
    expect([missing.status, JSON.parse(missing.text).code]).toEqual([400, 'PUBLISH_REQUEST_INVALID']);
    const large = await pub({ topic: t('a/x'), qos: '0' }, Buffer.alloc(MAX_PAYLOAD + 1));
    expect([large.status, JSON.parse(large.text).code]).toEqual([413, 'PUBLISH_PAYLOAD_TOO_LARGE']);
    expect(receivedOn(t('a/x'))).toEqual([]);
  });
});

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
        ? basicForKey(keyRevoked)
        : authorization === 'WRONG_SECRET'
          ? basic(keyA.slice(0, 'slk_'.length + 16), 'B'.repeat(43))
          : authorization;
    const answer = await post('/api/v5/publish', { topic: t('a/auth'), payload: 'x' }, header);
    expectProblem(answer, 401, 'UNAUTHORIZED');
    expect(answer.headers.get('www-authenticate')).toMatch(/^Basic realm="sluice"/);
  });

  it('accepts the whole key as the username with an empty password', async () => {
    expect(
      (await post('/api/v5/publish', { topic: t('a/whole'), payload: 'x' }, basic(keyA, ''))).status,
    ).toBe(200);
  });

  it('403 PUBLISH_FORBIDDEN_TOPIC outside the key topic filters, and for a key with none', async () => {
    const outside = await post('/api/v5/publish', { topic: t('b/x'), payload: 'x' }, basicForKey(keyA));
    expectProblem(outside, 403, 'PUBLISH_FORBIDDEN_TOPIC');
    const none = await post('/api/v5/publish', { topic: t('a/x'), payload: 'x' }, basicForKey(keyNone));
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
    const slow = basicForKey(keySlow);
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
    const answer = await post('/api/v5/publish', { topic: '' }, admin, {
      traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
    });
    expect(answer.body.traceId).toBe(traceId);
  });
});

describe('503 BROKER_UNAVAILABLE', () => {
  let down: PublishTestApp;
  beforeAll(async () => {
    const closedPort = await freePort();
    down = await startPublishApp(adminKey, `mqtt://127.0.0.1:${closedPort}`, {
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
        headers: { 'content-type': 'application/json', authorization: admin },
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
    const none = await startPublishApp(adminKey, undefined);
    try {
      const response = await fetch(`${none.baseUrl}/api/v5/publish`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: admin },
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

describe('the OpenAPI document', () => {
  const checkedIn = parse(readFileSync(resolve(__dirname, '../../../docs/openapi/publish-api.yaml'), 'utf8'));

  it('is served as JSON and YAML, without credentials, and equals docs/openapi/publish-api.yaml', async () => {
    const json = await fetch(`${gw.baseUrl}/api/v5/openapi.json`);
    expect(json.status).toBe(200);
    expect(await json.json()).toEqual(checkedIn);
    const yaml = await fetch(`${gw.baseUrl}/api/v5/openapi.yaml`);
    expect(yaml.headers.get('content-type')).toMatch(/^application\/yaml/);
    expect(parse(await yaml.text())).toEqual(checkedIn);
  });
});
