import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export interface SubscriptionErrorShape {
  message: string;
  extensions?: Record<string, unknown>;
}

/** One graphql-ws subscription as a test sees it: what arrived, and how it ended. */
export interface TestSubscription<T> {
  readonly events: T[];
  readonly errors: SubscriptionErrorShape[];
  /** Resolves when the server completed or failed the subscription. */
  readonly ended: Promise<void>;
  /** Unsubscribes and closes the socket. */
  close(): Promise<void>;
}

/**
 * Subscribes over graphql-ws (the key in `connectionParams.authorization`) and collects the events.
 *
 * @example const sub = subscribe(url, key, 'subscription($r: ID!) { ruleTrace(ruleId: $r) { topic } }', { r });
 */
export function subscribe<T>(
  httpUrl: string,
  key: string | undefined,
  query: string,
  variables: Record<string, unknown> = {},
): TestSubscription<T> {
  const client: Client = createClient({
    url: httpUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: key === undefined ? {} : { authorization: `Bearer ${key}` },
    retryAttempts: 0,
    lazy: true,
  });
  const events: T[] = [];
  const errors: SubscriptionErrorShape[] = [];
  let stop: () => void = () => undefined;
  const ended = new Promise<void>((resolve) => {
    stop = client.subscribe<Record<string, T>>(
      { query, variables },
      {
        next: (result) => {
          for (const error of result.errors ?? []) errors.push(error);
          const value = result.data ? Object.values(result.data)[0] : undefined;
          if (value !== undefined) events.push(value);
        },
        error: (error) => {
          const list = Array.isArray(error) ? (error as SubscriptionErrorShape[]) : [];
          errors.push(...(list.length ? list : [{ message: String(error) }]));
          resolve();
        },
        complete: () => resolve(),
      },
    );
  });
  return {
    events,
    errors,
    ended,
    close: async () => {
      stop();
      await client.dispose();
    },
  };
}
