import { Client, fetchExchange, subscriptionExchange } from '@urql/core';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';

/** An API error as the console shows it: the message, and the codes the gateway gives. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code?: string,
    readonly extensions: Record<string, unknown> = {},
    readonly network = false,
  ) {
    super(message);
  }
}

export interface Api {
  query<T>(query: string, variables?: Record<string, unknown>): Promise<T>;
  mutate<T>(query: string, variables?: Record<string, unknown>): Promise<T>;
  subscribe<T>(
    query: string,
    variables: Record<string, unknown>,
    next: (data: T) => void,
    error: (e: ApiError) => void,
  ): () => void;
  close(): void;
}

/**
 * The console's only way to the gateway: queries and mutations over POST /graphql (urql), live
 * data over graphql-ws on the same path, the API key in `Authorization` / `connectionParams`.
 */
export function createApi(key: string, onUnauthenticated: () => void): Api {
  const authorization = `Bearer ${key}`;
  const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;
  const ws: WsClient = createWsClient({
    url: wsUrl,
    connectionParams: { authorization },
    lazy: true,
    retryAttempts: 3,
  });
  const client = new Client({
    url: '/graphql',
    requestPolicy: 'network-only',
    preferGetMethod: false,
    fetchOptions: () => ({ headers: { authorization } }),
    exchanges: [
      fetchExchange,
      subscriptionExchange({
        forwardSubscription: (request) => ({
          subscribe: (sink) => ({
            unsubscribe: ws.subscribe({ ...request, query: request.query ?? '' }, sink),
          }),
        }),
      }),
    ],
  });
  const settle = async <T>(
    result: Promise<{ data?: unknown; error?: import('@urql/core').CombinedError }>,
  ) => {
    const { data, error } = await result;
    if (error) {
      const first = error.graphQLErrors[0];
      const code = first?.extensions?.['code'] as string | undefined;
      if (code === 'UNAUTHENTICATED') onUnauthenticated();
      if (error.networkError)
        throw new ApiError(
          `the gateway cannot be reached (${error.networkError.message})`,
          undefined,
          {},
          true,
        );
      throw new ApiError(first?.message ?? error.message, code, first?.extensions ?? {});
    }
    return data as T;
  };
  return {
    query: <T>(query: string, variables: Record<string, unknown> = {}) =>
      settle<T>(client.query(query, variables).toPromise()),
    mutate: <T>(query: string, variables: Record<string, unknown> = {}) =>
      settle<T>(client.mutation(query, variables).toPromise()),
    subscribe: <T>(
      query: string,
      variables: Record<string, unknown>,
      next: (data: T) => void,
      onError: (e: ApiError) => void,
    ) => {
      const { unsubscribe } = client.subscription(query, variables).subscribe((result) => {
        if (result.error) {
          const first = result.error.graphQLErrors[0];
          onError(
            new ApiError(
              first?.message ?? result.error.message,
              first?.extensions?.['code'] as string | undefined,
            ),
          );
        } else if (result.data) next(result.data as T);
      });
      return unsubscribe;
    },
    close: () => void ws.dispose(),
  };
}
