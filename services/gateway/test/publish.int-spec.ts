import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import mqtt, { type IPublishPacket } from 'mqtt';
import { parse } from 'yaml';
import { eventually, testServers } from '../../../test/support';
import { expectProblem, MAX_PAYLOAD, PublishFixture, type JsonAnswer } from './publish-fixture';
import { basicForKey } from './publish-test-app';

const f = new PublishFixture();
const { t, post, receivedOn, firstOn } = f;
beforeAll(() => f.start());
afterAll(() => f.stop());

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
      basicForKey(f.keyA),
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
      // retained where the broker has it: in the tenant's namespace
      await late.subscribeAsync(`${f.tenantId}/${t('a/retained')}`, { qos: 1 });
      const packet = await retained;
      expect(packet.retain).toBe(true);
      expect(packet.payload.toString()).toBe('{"temp":21.5}');
    } finally {
      await late.endAsync();
    }
  });

  it("carries the caller's traceparent on as an MQTT 5 user property, next to the caller's own", async () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const answer = await post(
      '/api/v5/publish',
      { topic: t('a/traced'), payload: 'x', qos: 1, properties: { user_properties: { mine: '1' } } },
      f.admin,
      { traceparent },
    );
    expect(answer.status).toBe(200);
    const message = await firstOn(t('a/traced'));
    expect(message.properties?.userProperties).toEqual({ mine: '1', traceparent });
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
      basicForKey(f.keyA),
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
    authorization = basicForKey(f.keyA),
  ) {
    const response = await fetch(`${f.gw.baseUrl}/pub`, {
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
        tenant_id: f.tenantId,
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
    const answer = await pub({ topic: t('a-nobody'), qos: '1' }, 'x', f.admin);
    expect([answer.status, answer.text]).toEqual([200, 'NO_MATCH']);
  });

  it("refuses another tenant's tenant_id with 403 FORBIDDEN", async () => {
    const answer = await pub({ topic: t('a/x'), qos: '0', tenant_id: f.otherTenantId }, 'x');
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

describe('the OpenAPI document', () => {
  const checkedIn = parse(readFileSync(resolve(__dirname, '../../../docs/openapi/publish-api.yaml'), 'utf8'));

  it('is served as JSON and YAML, without credentials, and equals docs/openapi/publish-api.yaml', async () => {
    const json = await fetch(`${f.gw.baseUrl}/api/v5/openapi.json`);
    expect(json.status).toBe(200);
    expect(await json.json()).toEqual(checkedIn);
    const yaml = await fetch(`${f.gw.baseUrl}/api/v5/openapi.yaml`);
    expect(yaml.headers.get('content-type')).toMatch(/^application\/yaml/);
    expect(parse(await yaml.text())).toEqual(checkedIn);
  });
});
