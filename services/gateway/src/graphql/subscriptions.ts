import type { IncomingMessage } from 'node:http';
import type { GraphQLWsSubscriptionsConfig } from '@nestjs/graphql';
import type { ExecutionResult } from 'graphql';
import { graphql } from './graphql-runtime';
import type { GraphqlContext } from '../auth/principal';
import { formatGraphqlError } from './format-error';
import { GRAPHQL_MAX_TOKENS } from './query-limits';

/** What @nestjs/graphql hands the context function: an HTTP request, or a graphql-ws operation. */
export type ContextArgument =
  | { req: GraphqlContext['req'] }
  | { connectionParams?: Readonly<Record<string, unknown>>; extra?: { request?: IncomingMessage } };

/**
 * The GraphQL context of an operation. Over graphql-ws the key comes from the connection's
 * `connectionParams.authorization` (browsers cannot set headers on a WebSocket), else from the
 * upgrade request's `Authorization` header; the same guard then checks it as for HTTP.
 */
export function graphqlContext(argument: ContextArgument): GraphqlContext {
  if ('req' in argument) return { req: argument.req };
  const params = argument.connectionParams ?? {};
  const fromParams = params.authorization ?? params.Authorization;
  const authorization =
    typeof fromParams === 'string' ? fromParams : argument.extra?.request?.headers.authorization;
  return { req: { headers: { authorization } } };
}

/**
 * graphql-ws options: a subscription's errors (a refused key, another tenant's rule) are formatted
 * as those of queries, with codes and without internals, since Apollo's formatError does not see
 * them. Validation errors come from graphql itself and are safe as they are.
 */
export const graphqlWsOptions: GraphQLWsSubscriptionsConfig = {
  path: '/graphql',
  // why: over WebSocket only subscriptions run; queries and mutations go through POST /graphql,
  // where the depth and cost limits and the request tracing apply
  onSubscribe: (_ctx, _id, payload) => {
    let operations: readonly string[];
    try {
      operations = graphql
        .parse(payload.query, { maxTokens: GRAPHQL_MAX_TOKENS })
        .definitions.filter((d) => d.kind === graphql.Kind.OPERATION_DEFINITION)
        .map((d) => d.operation);
    } catch (error) {
      // why answer here: graphql-ws would parse the document again, without the token limit
      return [
        new graphql.GraphQLError((error as Error).message, {
          extensions: { code: 'GRAPHQL_PARSE_FAILED' },
        }),
      ];
    }
    if (operations.every((operation) => operation === 'subscription')) return undefined;
    return [
      new graphql.GraphQLError(
        'only subscriptions run over WebSocket; send queries and mutations to POST /graphql',
        {
          extensions: { code: 'BAD_USER_INPUT', sluiceCode: 'SUBSCRIPTIONS_ONLY' },
        },
      ),
    ];
  },
  onNext: (_ctx, _id, _payload, _args, result: ExecutionResult) =>
    result.errors
      ? {
          ...result,
          errors: result.errors.map((error) => formatGraphqlError(error.toJSON(), error)),
        }
      : undefined,
};
