import { PublishRequestInvalidError } from '@sluice/publish';
import { parseBifromqPub } from './bifromq-headers';

describe('parseBifromqPub', () => {
  it("reads BifroMQ's header names (any case) and takes the body as the payload bytes", () => {
    const body = Buffer.from([1, 2, 3]);
    const parsed = parseBifromqPub(
      { Topic: 'a/b', QOS: '2', retain: 'true', expiry_seconds: '30', tenant_id: 't1', client_type: 'curl' },
      body,
    );
    expect(parsed).toEqual({
      tenantId: 't1',
      input: {
        topic: 'a/b',
        payload: body,
        qos: 2,
        retain: true,
        properties: { message_expiry_interval: 30 },
      },
    });
  });

  it('defaults to not retained and no expiry', () => {
    const parsed = parseBifromqPub({ topic: 'a', qos: '0' }, Buffer.alloc(0));
    expect(parsed.input).toMatchObject({ retain: false, properties: undefined });
    expect(parsed.tenantId).toBeUndefined();
  });

  it.each([
    ['no topic', { qos: '1' }],
    ['no qos', { topic: 'a' }],
    ['qos 3', { topic: 'a', qos: '3' }],
    ['expiry 0 (BifroMQ wants it positive)', { topic: 'a', qos: '1', expiry_seconds: '0' }],
    ['a non-numeric expiry', { topic: 'a', qos: '1', expiry_seconds: 'soon' }],
    ['retain yes', { topic: 'a', qos: '1', retain: 'yes' }],
  ])('rejects %s', (_what, headers) => {
    expect(() => parseBifromqPub(headers, Buffer.alloc(0))).toThrow(PublishRequestInvalidError);
  });
});
