import { unmount } from '@sluice/sources';
import mqtt, { type IPublishPacket, type MqttClient } from 'mqtt';
import { eventually, testNamespace, testServers } from '../../../test/support';
import { basic, startPublishApp, type PublishTestApp } from './publish-test-app';

/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-return --
   answers are untyped JSON, checked field by field by the tests */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
export type JsonAnswer = any;

export interface Received {
  topic: string;
  payload: Buffer;
  qos: number;
  retain: boolean;
  properties: IPublishPacket['properties'];
}

/** The payload limit the fixture's gateway runs with. */
export const MAX_PAYLOAD = 1024;

/**
 * One publish API on a real port with a tenant, keys and a subscriber on the real broker:
 * `start()` in beforeAll, `stop()` in afterAll.
 */
export class PublishFixture {
  readonly ns = testNamespace();
  readonly adminKey = 'test-admin-key-0123456789abcdef';
  readonly admin = basic('admin', this.adminKey);
  readonly received: Received[] = [];
  gw!: PublishTestApp;
  subscriber!: MqttClient;
  tenantId!: string;
  otherTenantId!: string;
  /** May publish under `<prefix>a/#` only, default rate limit. */
  keyA!: string;
  /** May publish anywhere under the prefix, 2 messages per second. */
  keySlow!: string;
  /** Allowed no topic at all. */
  keyNone!: string;
  keyRevoked!: string;

  readonly t = (suffix: string) => `${this.ns.topicPrefix}${suffix}`;
  readonly receivedOn = (topic: string) => this.received.filter((message) => message.topic === topic);
  /** Waits for the first message on `topic`. */
  readonly firstOn = (topic: string) =>
    eventually(() => {
      const [message] = this.receivedOn(topic);
      expect(message).toBeDefined();
      return message!;
    });

  /** `authorization: null` sends no Authorization header; the default is the operator key. */
  readonly post = async (
    path: string,
    body: unknown,
    authorization: string | null = this.admin,
    headers = {},
  ) => {
    const response = await fetch(`${this.gw.baseUrl}${path}`, {
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
  };

  async start(): Promise<void> {
    const { t } = this;
    this.gw = await startPublishApp(this.adminKey, testServers.mqttUrl, {
      SLUICE_PUBLISH_MAX_PAYLOAD_BYTES: MAX_PAYLOAD,
      SLUICE_PUBLISH_MAX_BATCH: 50,
    });
    const { tenants, apiKeys } = this.gw;
    this.tenantId = (await tenants.create({ name: `pub-${this.ns.id}`, plan: 'free' })).id;
    this.otherTenantId = (await tenants.create({ name: `other-${this.ns.id}`, plan: 'free' })).id;
    const key = async (name: string, publishTopics: string[], rateLimit: number | null) =>
      apiKeys.create(this.tenantId, { name, publishTopics, rateLimit });
    this.keyA = (await key('a', [t('a/#')], null)).key;
    this.keySlow = (await key('slow', [t('#')], 2)).key;
    this.keyNone = (await key('none', [], null)).key;
    const revoked = await key('revoked', [t('#')], null);
    await apiKeys.revoke(this.tenantId, revoked.apiKey.id);
    this.keyRevoked = revoked.key;

    this.subscriber = await mqtt.connectAsync(testServers.mqttUrl, { protocolVersion: 5, clean: true });
    // a tenant's key publishes inside the tenant's namespace (its mountpoint, `<tenant id>/`), the
    // operator's anywhere: both are recorded as the tenant sees them (tenancy-namespaces.spec.ts in
    // test/security checks the broker's view)
    const mountpoint = `${this.tenantId}/`;
    this.subscriber.on('message', (topic, payload, packet) => {
      const properties = packet.properties?.responseTopic
        ? { ...packet.properties, responseTopic: unmount(mountpoint, packet.properties.responseTopic) }
        : packet.properties;
      this.received.push({
        topic: unmount(mountpoint, topic),
        payload,
        qos: packet.qos,
        retain: packet.retain,
        properties,
      });
    });
    // rap: the retain flag arrives as published, so the test can see it on a live subscription
    for (const filter of [t('a/#'), t('b/#')]) {
      await this.subscriber.subscribeAsync(filter, { qos: 2, rap: true });
      await this.subscriber.subscribeAsync(`${mountpoint}${filter}`, { qos: 2, rap: true });
    }
  }

  async stop(): Promise<void> {
    // clear the retained message the tests may have left on the broker
    await this.subscriber?.publishAsync(this.t('a/retained'), '', { qos: 1, retain: true });
    await this.subscriber?.publishAsync(`${this.tenantId}/${this.t('a/retained')}`, '', {
      qos: 1,
      retain: true,
    });
    await this.subscriber?.endAsync();
    await this.gw?.close();
  }
}

/** Checks an RFC 9457 answer with the given status and code, and returns its body. */
export function expectProblem(
  answer: { status: number; headers: Headers; body: JsonAnswer },
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
