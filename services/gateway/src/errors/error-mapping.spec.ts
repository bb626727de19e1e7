import { SluiceError } from '@sluice/errors';
import {
  BrokerUnavailableError,
  BulkEmptyError,
  ForbiddenError,
  PublishForbiddenTopicError,
  PublishPayloadEncodingError,
  PublishPayloadTooLargeError,
  PublishTopicInvalidError,
  RateLimitedError,
  UnauthorizedError,
} from '@sluice/publish';
import { mapError } from './error-mapping';

class ThingNotFound extends SluiceError {
  readonly code = 'THING_NOT_FOUND';
  readonly category = 'NOT_FOUND';
}

describe('mapError', () => {
  it.each([
    [new PublishTopicInvalidError('a/#', 'wildcards'), 400, 'BAD_USER_INPUT'],
    [new PublishPayloadEncodingError('bad base64'), 400, 'BAD_USER_INPUT'],
    [new BulkEmptyError(), 400, 'BAD_USER_INPUT'],
    [new UnauthorizedError('no credentials'), 401, 'UNAUTHENTICATED'],
    [new ForbiddenError('other tenant'), 403, 'FORBIDDEN'],
    [new PublishForbiddenTopicError('x'), 403, 'FORBIDDEN'],
    [new ThingNotFound('gone'), 404, 'NOT_FOUND'],
    [new PublishPayloadTooLargeError(2, 1), 413, 'BAD_USER_INPUT'],
    [new RateLimitedError('slow', 3), 429, 'RATE_LIMITED'],
    [new BrokerUnavailableError('down', 5), 503, 'SERVICE_UNAVAILABLE'],
  ])('%s -> HTTP %i, GraphQL %s', (error, http, graphql) => {
    expect(mapError(error)).toMatchObject({
      http,
      graphql,
      code: error.code,
      message: error.message,
      expected: true,
    });
  });

  it('carries retryAfterSeconds for 429 and 503 only', () => {
    expect(mapError(new RateLimitedError('slow', 3)).retryAfterSeconds).toBe(3);
    expect(mapError(new BrokerUnavailableError('down', 5)).retryAfterSeconds).toBe(5);
    expect(mapError(new BulkEmptyError()).retryAfterSeconds).toBeUndefined();
  });

  it('never echoes an unknown error', () => {
    const mapped = mapError(new Error('password=hunter2 in a stack'));
    expect(mapped).toMatchObject({
      http: 500,
      graphql: 'INTERNAL_SERVER_ERROR',
      code: 'INTERNAL',
      expected: false,
    });
    expect(mapped.message).not.toContain('hunter2');
  });
});
