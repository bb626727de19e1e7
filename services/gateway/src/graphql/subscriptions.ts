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

/** A connection must send `connection_init` within this long, or it is closed (4408). */
export const WS_INIT_TIMEOUT_MS = 5_000;
/** How often an open connection's key is checked again: a revoked key ends its subscriptions. */
export const WS_KEY_RECHECK_MS = 500;

type Authenticate = (authorization: string | string[] | undefined) => Promise<unknown>;
interface WsExtra {
  request?: IncomingMessage;
  socket?: { close(code: number, reason: string): void };
  keyCheck?: NodeJS.Timeout;
}

/**
 * graphql-ws options: a connection authenticates in `connection_init` (an unknown or revoked key
 * is closed with 4403, a connection that never sends it after WS_INIT_TIMEOUT_MS), and its key is
 * checked again every WS_KEY_RECHECK_MS, so revoking a key closes its connections, and with them
 * every subscription (ruleTrace, status), within a second. A subscription's errors (another
 * tenant's rule) are formatted as those of queries, with codes and without internals, since
 * Apollo's formatError does not see them. Validation errors come from graphql itself.
 */
export const graphqlWsOptions = (authenticate: Authenticate): GraphQLWsSubscriptionsConfig => ({
  path: '/graphql',
  connectionInitWaitTimeout: WS_INIT_TIMEOUT_MS,
  onConnect: async (ctx) => {
    const extra = ctx.extra as WsExtra;
    const { req } = graphqlContext({ connectionParams: ctx.connectionParams, extra });
    try {
      await authenticate(req.headers.authorization);
    } catch {
      return false; // graphql-ws closes with 4403 Forbidden
    }
    extra.keyCheck = setInterval(() => {
      authenticate(req.headers.authorization).catch(() => {
        clearInterval(extra.keyCheck);
        extra.socket?.close(4403, 'API key revoked');
      });
    }, WS_KEY_RECHECK_MS);
    extra.keyCheck.unref();
    return true;
  },
  onClose: (ctx) => clearInterval((ctx.extra as WsExtra).keyCheck),
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
});
