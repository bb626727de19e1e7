import { randomBytes } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import { Logger } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import { SluiceError } from '@sluice/errors';
import type { AuthenticatedRequest, GraphqlContext } from '../auth/principal';

const TRACEPARENT = /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/;
const logger = new Logger('GraphQL');

/** The trace id of a request: the active span's, the caller's `traceparent`, or a fresh one. */
export function traceIdOf(request: Pick<AuthenticatedRequest, 'headers'>): string {
  const span = trace.getActiveSpan()?.spanContext();
  if (span && span.traceId !== '0'.repeat(32)) return span.traceId;
  const header = request.headers['traceparent'];
  const fromHeader = typeof header === 'string' ? TRACEPARENT.exec(header)?.[1] : undefined;
  return fromHeader ?? randomBytes(16).toString('hex');
}

/**
 * Adds `extensions.traceId` to every error of a response and logs unexpected errors (whose
 * answer is generic) with that id, so a client's report leads to the log line.
 */
export function traceIdPlugin(): ApolloServerPlugin<GraphqlContext> {
  return {
    requestDidStart({ contextValue }) {
      const traceId = traceIdOf(contextValue.req);
      return Promise.resolve({
        didEncounterErrors({ errors }) {
          for (const error of errors) {
            const original = error.originalError;
            if (original && !(original instanceof SluiceError)) {
              logger.error(`trace ${traceId}: ${original.stack ?? original.message}`);
            }
          }
          return Promise.resolve();
        },
        willSendResponse({ response }) {
          if (response.body.kind === 'single' && response.body.singleResult.errors) {
            response.body.singleResult.errors = response.body.singleResult.errors.map((error) => ({
              ...error,
              extensions: { ...error.extensions, traceId },
            }));
          }
          return Promise.resolve();
        },
      });
    },
  };
}
