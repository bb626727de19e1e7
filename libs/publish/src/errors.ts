import { SluiceError, type ErrorCategory } from '@sluice/errors';

/** A topic name that MQTT does not allow for PUBLISH (wildcards, empty, too long, NUL). */
export class PublishTopicInvalidError extends SluiceError {
  readonly code = 'PUBLISH_TOPIC_INVALID';
  readonly category = 'BAD_INPUT';
  constructor(
    readonly topic: string,
    reason: string,
  ) {
    super(`invalid topic ${JSON.stringify(topic.length > 80 ? `${topic.slice(0, 80)}…` : topic)}: ${reason}`);
  }
}

/** The body does not have the shape of a publish request (missing topic, qos 3, ...). */
export class PublishRequestInvalidError extends SluiceError {
  readonly code = 'PUBLISH_REQUEST_INVALID';
  readonly category = 'BAD_INPUT';
}

/** `payload_encoding: base64` with a payload that is not base64. */
export class PublishPayloadEncodingError extends SluiceError {
  readonly code = 'PUBLISH_PAYLOAD_ENCODING';
  readonly category = 'BAD_INPUT';
}

/** A decoded payload larger than the configured limit; answered with HTTP 413. */
export class PublishPayloadTooLargeError extends SluiceError {
  readonly code = 'PUBLISH_PAYLOAD_TOO_LARGE';
  readonly category = 'BAD_INPUT';
  constructor(
    readonly size: number,
    readonly limit: number,
  ) {
    super(`payload of ${size} bytes exceeds the limit of ${limit} bytes`);
  }
}

/** The key may not publish to this topic (none of its topic filters matches it). */
export class PublishForbiddenTopicError extends SluiceError {
  readonly code = 'PUBLISH_FORBIDDEN_TOPIC';
  readonly category = 'FORBIDDEN';
  constructor(readonly topic: string) {
    super(`this API key may not publish to ${JSON.stringify(topic)}`);
  }
}

/** The key's rate limit is reached; answered with HTTP 429 and Retry-After. */
export class RateLimitedError extends SluiceError {
  readonly code = 'RATE_LIMITED';
  readonly category = 'UNAVAILABLE';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

/** The broker could not be reached or did not confirm in time; HTTP 503 with Retry-After. */
export class BrokerUnavailableError extends SluiceError {
  readonly code = 'BROKER_UNAVAILABLE';
  readonly category = 'UNAVAILABLE';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * The broker answered the PUBLISH with an MQTT 5 error reason code (e.g. 0x87 not authorized).
 * The category follows the reason: authorization is FORBIDDEN, quota is UNAVAILABLE, the rest BAD_INPUT.
 */
export class PublishRejectedError extends SluiceError {
  readonly code = 'PUBLISH_REJECTED';
  readonly category: ErrorCategory;
  constructor(
    readonly reasonCode: number,
    message: string,
  ) {
    super(`the broker rejected the message with reason code 0x${reasonCode.toString(16)}: ${message}`);
    this.category =
      reasonCode === 0x87
        ? 'FORBIDDEN'
        : reasonCode === 0x97 || reasonCode === 0x80
          ? 'UNAVAILABLE'
          : 'BAD_INPUT';
  }
}

/** No credentials, malformed credentials, or an unknown or revoked key; HTTP 401. */
export class UnauthorizedError extends SluiceError {
  readonly code = 'UNAUTHORIZED';
  readonly category = 'FORBIDDEN';
}

/** Authenticated, but not allowed to do this (e.g. another tenant's `tenant_id`); HTTP 403. */
export class ForbiddenError extends SluiceError {
  readonly code = 'FORBIDDEN';
  readonly category = 'FORBIDDEN';
}

/** A bulk request with no items. */
export class BulkEmptyError extends SluiceError {
  readonly code = 'BULK_EMPTY';
  readonly category = 'BAD_INPUT';
  constructor() {
    super('the bulk request is an empty list: send at least one message');
  }
}

/** A publish failed for a reason Sluice did not expect; the detail is logged, not answered. */
export class PublishFailedError extends SluiceError {
  readonly code = 'PUBLISH_FAILED';
  readonly category = 'INTERNAL';
}
