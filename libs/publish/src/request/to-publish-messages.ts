import { isUtf8 } from 'node:buffer';
import { SluiceError } from '@sluice/errors';
import { z } from 'zod';
import {
  BulkEmptyError,
  PublishPayloadEncodingError,
  PublishPayloadTooLargeError,
  PublishRequestInvalidError,
} from '../errors';
import { assertValidTopicName } from '../topic/topic-name';
import { bulkItemSchema, publishRequestSchema, type publishPropertiesSchema } from './publish-request.schema';

type PublishPropertiesInput = z.infer<typeof publishPropertiesSchema>;

/** MQTT 5 PUBLISH properties, named as mqtt.js names them. */
export interface Mqtt5Properties {
  payloadFormatIndicator?: boolean;
  messageExpiryInterval?: number;
  responseTopic?: string;
  correlationData?: Buffer;
  userProperties?: Record<string, string | string[]>;
  contentType?: string;
}

/** A validated message, ready for the broker. */
export interface PublishMessage {
  topic: string;
  payload: Buffer;
  qos: 0 | 1 | 2;
  retain: boolean;
  properties: Mqtt5Properties | undefined;
}

/** One message as a request gives it, before validation (JSON body or BifroMQ headers). */
export interface PublishMessageInput {
  topic: string;
  payload: string | Buffer;
  payload_encoding?: 'plain' | 'base64';
  qos: 0 | 1 | 2;
  retain: boolean;
  properties?: PublishPropertiesInput | undefined;
}

export interface PublishLimits {
  /** Largest payload, in bytes after decoding. */
  maxPayloadBytes: number;
  /** Most messages in one bulk request or one `topics` list. */
  maxBatchItems: number;
}

// why strict: Buffer.from(s, 'base64') skips any character it does not know, so "hello!" would
// publish garbage instead of failing; padding may be left out, as many encoders do
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function decodePayload(input: PublishMessageInput): Buffer {
  if (Buffer.isBuffer(input.payload)) return input.payload;
  if (input.payload_encoding !== 'base64') return Buffer.from(input.payload, 'utf8');
  const text = input.payload;
  const unpadded = text.replace(/=+$/, '');
  const validPadding = text.length === unpadded.length || text.length % 4 === 0;
  if (!BASE64.test(text) || unpadded.length % 4 === 1 || !validPadding) {
    throw new PublishPayloadEncodingError('payload_encoding is base64 but the payload is not valid base64');
  }
  return Buffer.from(text, 'base64');
}

function toProperties(
  input: PublishPropertiesInput | undefined,
  payload: Buffer,
): Mqtt5Properties | undefined {
  if (!input) return undefined;
  if (input.payload_format_indicator === 1) {
    // why: MQTT 5 3.3.2.3.2 lets receivers reject a payload that claims UTF-8 and is not
    if (!isUtf8(payload)) {
      throw new PublishPayloadEncodingError(
        'payload_format_indicator is 1 but the payload is not valid UTF-8',
      );
    }
  }
  if (input.response_topic !== undefined) assertValidTopicName(input.response_topic);
  const properties: Mqtt5Properties = {};
  if (input.payload_format_indicator !== undefined)
    properties.payloadFormatIndicator = input.payload_format_indicator === 1;
  if (input.message_expiry_interval !== undefined)
    properties.messageExpiryInterval = input.message_expiry_interval;
  if (input.response_topic !== undefined) properties.responseTopic = input.response_topic;
  if (input.correlation_data !== undefined)
    properties.correlationData = Buffer.from(input.correlation_data, 'utf8');
  if (input.user_properties !== undefined) properties.userProperties = input.user_properties;
  if (input.content_type !== undefined) properties.contentType = input.content_type;
  return properties;
}

/**
 * Validates one message input: the topic rules, the payload encoding and size, the properties.
 * Throws the SluiceError for the first problem.
 *
 * @example toPublishMessage({ topic: 'a/b', payload: 'aGk=', payload_encoding: 'base64', qos: 1, retain: false }, limits);
 */
export function toPublishMessage(input: PublishMessageInput, limits: PublishLimits): PublishMessage {
  assertValidTopicName(input.topic);
  const payload = decodePayload(input);
  if (payload.length > limits.maxPayloadBytes) {
    throw new PublishPayloadTooLargeError(payload.length, limits.maxPayloadBytes);
  }
  const properties = toProperties(input.properties, payload);
  return { topic: input.topic, payload, qos: input.qos, retain: input.retain, properties };
}

function shapeError(error: z.ZodError, what: string): PublishRequestInvalidError {
  return new PublishRequestInvalidError(`invalid ${what}: ${z.prettifyError(error).replace(/\n/g, '; ')}`);
}

/**
 * Parses the body of `POST /api/v5/publish`. Everything is validated before anything is
 * published, so one bad topic in a `topics` list rejects the whole request.
 *
 * @example parsePublishRequest({ topic: 'a/b', payload: 'hi', qos: 1 }, limits).messages[0].qos; // 1
 */
export function parsePublishRequest(
  body: unknown,
  limits: PublishLimits,
): { messages: PublishMessage[]; topicList: boolean } {
  const parsed = publishRequestSchema.safeParse(body);
  if (!parsed.success) throw shapeError(parsed.error, 'publish request');
  const { topic, topics, ...rest } = parsed.data;
  const list = topics ?? [topic ?? ''];
  if (list.length > limits.maxBatchItems) {
    throw new PublishRequestInvalidError(`too many topics: ${list.length}, at most ${limits.maxBatchItems}`);
  }
  return {
    messages: list.map((name) => toPublishMessage({ ...rest, topic: name }, limits)),
    topicList: topics !== undefined,
  };
}

/**
 * Parses the body of `POST /api/v5/publish/bulk` item by item: each entry is a validated message
 * or the error that item has, so one bad item does not reject the others. Throws only when the
 * body is not a non-empty list.
 *
 * @example parseBulkRequest([{ topic: 'a' }, { topic: '#' }], limits); // [PublishMessage, PublishTopicInvalidError]
 */
export function parseBulkRequest(body: unknown, limits: PublishLimits): Array<PublishMessage | SluiceError> {
  if (!Array.isArray(body))
    throw new PublishRequestInvalidError('a bulk request is a JSON array of messages');
  if (body.length === 0) throw new BulkEmptyError();
  if (body.length > limits.maxBatchItems) {
    throw new PublishRequestInvalidError(
      `too many messages: ${body.length}, at most ${limits.maxBatchItems}`,
    );
  }
  return body.map((item: unknown, index) => {
    const parsed = bulkItemSchema.safeParse(item);
    if (!parsed.success) return shapeError(parsed.error, `item ${index}`);
    try {
      return toPublishMessage(parsed.data, limits);
    } catch (error) {
      if (error instanceof SluiceError) return error;
      throw error;
    }
  });
}
