import { SluiceError, type ErrorCategory } from '@sluice/errors';

/** One table: a new category does not compile until it is mapped. */
export const errorMapping = {
  BAD_INPUT: { graphql: 'BAD_USER_INPUT', http: 400 },
  NOT_FOUND: { graphql: 'NOT_FOUND', http: 404 },
  CONFLICT: { graphql: 'CONFLICT', http: 409 },
  FORBIDDEN: { graphql: 'FORBIDDEN', http: 403 },
  UNAVAILABLE: { graphql: 'SERVICE_UNAVAILABLE', http: 503 },
  INTERNAL: { graphql: 'INTERNAL_SERVER_ERROR', http: 500 },
} as const satisfies Record<ErrorCategory, { graphql: string; http: number }>;

/**
 * Codes whose answer is more precise than their category's: HTTP has a status for them
 * (401 is "who are you", 403 "not you"; 413 and 429 tell the client what to change).
 */
export const errorCodeOverrides: Readonly<Record<string, { graphql: string; http: number }>> = {
  UNAUTHORIZED: { graphql: 'UNAUTHENTICATED', http: 401 },
  RATE_LIMITED: { graphql: 'RATE_LIMITED', http: 429 },
  PUBLISH_PAYLOAD_TOO_LARGE: { graphql: 'BAD_USER_INPUT', http: 413 },
};

/** How an error is answered, whatever the transport. */
export interface MappedError {
  http: number;
  graphql: string;
  /** The stable Sluice code (`INTERNAL` for anything unexpected). */
  code: string;
  /** Safe to show: the SluiceError's message, or a generic one for unknown errors. */
  message: string;
  /** For 429 and 503: seconds the client should wait (Retry-After). */
  retryAfterSeconds: number | undefined;
  /** False for unknown errors, which are logged and never echoed back. */
  expected: boolean;
}

/**
 * Maps anything thrown to its HTTP status, GraphQL code and public message.
 *
 * @example mapError(new RateLimitedError('slow down', 2)); // { http: 429, code: 'RATE_LIMITED', retryAfterSeconds: 2, ... }
 */
export function mapError(error: unknown): MappedError {
  if (!(error instanceof SluiceError)) {
    return {
      ...errorMapping.INTERNAL,
      code: 'INTERNAL',
      message: 'an unexpected error occurred; it was logged with the trace id',
      retryAfterSeconds: undefined,
      expected: false,
    };
  }
  const target = errorCodeOverrides[error.code] ?? errorMapping[error.category];
  const retry = (error as { retryAfterSeconds?: unknown }).retryAfterSeconds;
  return {
    http: target.http,
    graphql: target.graphql,
    code: error.code,
    message: error.message,
    retryAfterSeconds: typeof retry === 'number' ? retry : undefined,
    expected: true,
  };
}
