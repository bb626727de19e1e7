import {
  BulkEmptyError,
  PublishPayloadEncodingError,
  PublishPayloadTooLargeError,
  PublishRequestInvalidError,
  PublishTopicInvalidError,
} from '@sluice/publish';
import { parseBulkRequest, parsePublishRequest, type PublishMessage } from './to-publish-messages';

const limits = { maxPayloadBytes: 16, maxBatchItems: 3 };

function errorOf(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

describe('parsePublishRequest', () => {
  it("applies EMQX's defaults: plain payload, QoS 0, not retained, no properties", () => {
    const { messages, topicList } = parsePublishRequest({ topic: 'a/b', payload: 'héllo' }, limits);
    expect(topicList).toBe(false);
    expect(messages).toEqual([
      {
        topic: 'a/b',
        payload: Buffer.from([0x68, 0xc3, 0xa9, 0x6c, 0x6c, 0x6f]),
        qos: 0,
        retain: false,
        properties: undefined,
      },
    ]);
  });

  it('decodes base64 (with or without padding) and maps the MQTT 5 properties to mqtt.js names', () => {
    const { messages } = parsePublishRequest(
      {
        topic: 'a',
        payload: 'AAH/', // bytes 0x00 0x01 0xff
        payload_encoding: 'base64',
        qos: 2,
        retain: true,
        properties: {
          payload_format_indicator: 0,
          message_expiry_interval: 60,
          response_topic: 'reply/to',
          correlation_data: 'c-1',
          user_properties: { k: 'v', multi: ['1', '2'] },
          content_type: 'application/octet-stream',
        },
      },
      limits,
    );
    expect(messages[0]).toEqual({
      topic: 'a',
      payload: Buffer.from([0, 1, 255]),
      qos: 2,
      retain: true,
      properties: {
        payloadFormatIndicator: false,
        messageExpiryInterval: 60,
        responseTopic: 'reply/to',
        correlationData: Buffer.from('c-1'),
        userProperties: { k: 'v', multi: ['1', '2'] },
        contentType: 'application/octet-stream',
      },
    });
    const unpadded = parsePublishRequest({ topic: 'a', payload: 'aGk', payload_encoding: 'base64' }, limits);
    expect(unpadded.messages[0]?.payload.toString()).toBe('hi');
  });

  it.each(['hello!', 'a', 'aGk=x', '====', 'aG=k'])('rejects the invalid base64 %j', (payload) => {
    const error = errorOf(() =>
      parsePublishRequest({ topic: 'a', payload, payload_encoding: 'base64' }, limits),
    );
    expect(error).toBeInstanceOf(PublishPayloadEncodingError);
  });

  it('rejects a payload that claims UTF-8 (format indicator 1) but is not', () => {
    const body = {
      topic: 'a',
      payload: '/w==',
      payload_encoding: 'base64',
      properties: { payload_format_indicator: 1 },
    };
    expect(errorOf(() => parsePublishRequest(body, limits))).toBeInstanceOf(PublishPayloadEncodingError);
  });

  it('limits the decoded size: 16 bytes pass, 17 fail with the sizes in the message', () => {
    expect(parsePublishRequest({ topic: 'a', payload: 'x'.repeat(16) }, limits).messages).toHaveLength(1);
    const error = errorOf(() => parsePublishRequest({ topic: 'a', payload: 'é'.repeat(8) + 'x' }, limits));
    expect(error).toBeInstanceOf(PublishPayloadTooLargeError);
    expect(error.message).toBe('payload of 17 bytes exceeds the limit of 16 bytes');
  });

  it('validates the topic and the response topic', () => {
    expect(errorOf(() => parsePublishRequest({ topic: 'a/#' }, limits))).toBeInstanceOf(
      PublishTopicInvalidError,
    );
    const body = { topic: 'a', properties: { response_topic: 'r/+' } };
    expect(errorOf(() => parsePublishRequest(body, limits))).toBeInstanceOf(PublishTopicInvalidError);
  });

  it.each([
    ['no topic', {}],
    ['both topic and topics', { topic: 'a', topics: ['b'] }],
    ['qos 3', { topic: 'a', qos: 3 }],
    ['an unknown encoding', { topic: 'a', payload_encoding: 'hex' }],
    ['a non-string payload', { topic: 'a', payload: 42 }],
    ['an empty topics list', { topics: [] }],
    ['a negative expiry', { topic: 'a', properties: { message_expiry_interval: -1 } }],
    ['not an object', 'a/b'],
  ])('rejects %s as PUBLISH_REQUEST_INVALID', (_what, body) => {
    const error = errorOf(() => parsePublishRequest(body, limits));
    expect(error).toBeInstanceOf(PublishRequestInvalidError);
  });

  it('expands a topics list, and rejects it whole when one topic is invalid', () => {
    const { messages, topicList } = parsePublishRequest({ topics: ['a', 'b'], payload: 'p', qos: 1 }, limits);
    expect(topicList).toBe(true);
    expect(messages.map((m) => [m.topic, m.payload.toString(), m.qos])).toEqual([
      ['a', 'p', 1],
      ['b', 'p', 1],
    ]);
    expect(errorOf(() => parsePublishRequest({ topics: ['a', ''] }, limits))).toBeInstanceOf(
      PublishTopicInvalidError,
    );
    expect(errorOf(() => parsePublishRequest({ topics: ['a', 'b', 'c', 'd'] }, limits)).message).toMatch(
      /at most 3/,
    );
  });
});

describe('parseBulkRequest', () => {
  it('answers item by item: valid messages stay valid next to invalid ones', () => {
    const items = parseBulkRequest([{ topic: 'ok', payload: '1' }, { topic: 'bad/+' }, { qos: 1 }], limits);
    expect((items[0] as PublishMessage).payload.toString()).toBe('1');
    expect(items[1]).toBeInstanceOf(PublishTopicInvalidError);
    expect(items[2]).toBeInstanceOf(PublishRequestInvalidError);
    expect((items[2] as Error).message).toMatch(/^invalid item 2/);
  });

  it('rejects an empty list with BULK_EMPTY and a clear message', () => {
    const error = errorOf(() => parseBulkRequest([], limits));
    expect(error).toBeInstanceOf(BulkEmptyError);
    expect(error.message).toMatch(/empty list/);
  });

  it('rejects a body that is not a list, and a list over the limit', () => {
    expect(errorOf(() => parseBulkRequest({ topic: 'a' }, limits))).toBeInstanceOf(
      PublishRequestInvalidError,
    );
    const four = Array.from({ length: 4 }, () => ({ topic: 'a' }));
    expect(errorOf(() => parseBulkRequest(four, limits)).message).toMatch(/too many messages: 4/);
  });
});
