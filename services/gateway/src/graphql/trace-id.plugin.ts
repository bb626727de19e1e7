import { randomBytes } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import { Logger } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import { SluiceError } from '@sluice/errors';
import { GraphQLError } from 'graphql';
import { ClientMistakes } from '../errors/client-mistakes';
import type { AuthenticatedRequest, GraphqlContext } from '../auth/principal';

const TRACEPARENT = /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/;
const logger = new Logger('GraphQL');
const mistakes = new ClientMistakes(logger);

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
 * answer is generic) with that id and their stack, so a client's report leads to the log line;
 * a request graphql-js refused is a client's mistake, noted without a stack (ClientMistakes).
 */
export function traceIdPlugin(): ApolloServerPlugin<GraphqlContext> {
  return {
    requestDidStart({ contextValue }) {
      const traceId = traceIdOf(contextValue.req);
      return Promise.resolve({
        didEncounterErrors({ errors }) {
          for (const error of errors) {
            const original = error.originalError;
            // why: a request graphql-js refused (syntax, validation, a bad variable) is the
            // client's mistake; Apollo wraps it in another GraphQLError or gives none
            if (!original || original instanceof GraphQLError) {
              mistakes.note('GraphQL', codeOf(error), error.message, traceId);
            } else if (!(original instanceof SluiceError)) {
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

function codeOf(error: GraphQLError): string {
  const code = error.extensions?.['code'];
  return typeof code === 'string' ? code : 'BAD_REQUEST';
}
