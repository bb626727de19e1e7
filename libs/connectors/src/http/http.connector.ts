import { connect, type LookupFunction } from 'node:net';
import type { Pool } from 'undici';
import type { Action, ConnectorOptions, DeliveryOutcome, DeliveryRecord } from '../connector';
import { BaseConnector, DeliveryTimeoutError } from '../shared/base-connector';
import { OK, rejected } from '../shared/outcomes';
import { compileField, nodeTlsOptions, parseConfig } from '../shared/parse-config';
import { compileTemplate, type Template } from '../template/template';
import {
  httpActionSchema,
  httpConnectorSchema,
  statusMatcher,
  type HttpConnectorConfig,
} from './http.config';
import { urlEndpoints, type Endpoint } from '../targets/target-policy';

/** Trace headers carried from the record to the request when the action does not set them. */
const traceHeaders = ['traceparent', 'tracestate', 'baggage'];

/**
 * HTTP webhook over an undici keep-alive pool. Delivery is at-least-once: a timeout is retried
 * although the server may have acted, so receivers should de-duplicate by the record id.
 */
export class HttpConnector extends BaseConnector {
  readonly kind = 'http';
  readonly config: HttpConnectorConfig;
  private readonly pool: Pool;
  private readonly url: URL;
  private readonly port: number;
  private readonly lookup?: LookupFunction;

  constructor(config: unknown, options: ConnectorOptions = {}) {
    super(options);
    this.config = parseConfig(httpConnectorSchema, config);
    this.url = new URL(this.config.url);
    this.port = Number(this.url.port) || (this.url.protocol === 'https:' ? 443 : 80);
    const tls = nodeTlsOptions(this.config.tls);
    // why a lookup of our own: each pooled connection checks the address it really connects to,
    // so a name that resolves elsewhere between two connections (DNS rebinding) is caught
    this.lookup = options.targets?.lookupFor(this.port);
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the driver loads with the first connector of its kind (docs/architecture.md, "Memory")
    const { Pool: UndiciPool } = require('undici') as typeof import('undici');
    this.pool = new UndiciPool(this.url.origin, {
      connections: this.config.poolSize,
      pipelining: this.config.pipelining,
      connect: { timeout: this.config.connectTimeoutMs, ...tls, ...(this.lookup && { lookup: this.lookup }) },
    });
  }

  endpoints(): Endpoint[] {
    return urlEndpoints(this.config.url, this.port);
  }

  /**
   * `user:password@` in the URL becomes Basic authentication (the pool connects to the origin, which
   * has no credentials); an `authorization` header of the connector or action wins.
   */
  private basicAuth(): Record<string, string> {
    if (!this.url.username && !this.url.password) return {};
    const pair = `${decodeURIComponent(this.url.username)}:${decodeURIComponent(this.url.password)}`;
    // base64 has no `$`, so the template compiler sees plain text
    const value = `Basic ${Buffer.from(pair).toString('base64')}`;
    return { authorization: value };
  }

  /** The pool connects on demand; start() checks that the server is reachable. */
  protected connect(): Promise<void> {
    return this.probe();
  }

  /** A TCP connect to the origin, as EMQX's HTTP health check does. */
  protected probe(): Promise<void> {
    const port = this.port;
    return new Promise((resolve, reject) => {
      const socket = connect({
        host: this.url.hostname,
        port,
        timeout: this.config.connectTimeoutMs,
        ...(this.lookup && { lookup: this.lookup }),
      });
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('timeout', () => {
        socket.destroy();
        reject(new Error(`connect to ${this.url.host} timed out`));
      });
      socket.once('error', reject);
    });
  }

  protected async disconnect(): Promise<void> {
    await this.pool.close();
  }

  createAction(input: unknown): Action {
    const config = parseConfig(httpActionSchema, input);
    const basePath = this.url.pathname.replace(/\/$/, '');
    const baseQuery = this.url.search.slice(1);
    const path = compileField('path', () => compileTemplate(config.path));
    const body = compileField('body', () => compileTemplate(config.body));
    const headers = compileHeaders({ ...this.basicAuth(), ...this.config.headers, ...config.headers });
    const isSuccess = statusMatcher(config.successStatus);
    const isRetryable = statusMatcher(config.retryableStatus);
    const request = async (record: DeliveryRecord): Promise<DeliveryOutcome> => {
      const rendered: Record<string, string> = {};
      for (const [name, template] of headers) rendered[name] = template.render(record);
      rendered['content-type'] ??= 'application/json';
      for (const name of traceHeaders) {
        const value = record.headers?.[name];
        if (value !== undefined && rendered[name] === undefined) rendered[name] = value;
      }
      const method = config.method;
      const deadline = new RequestDeadline(config.requestTimeoutMs);
      try {
        const { statusCode, body: response } = await this.pool.request({
          path: joinPath(basePath, baseQuery, path.render(record)),
          method,
          headers: rendered,
          body: method === 'GET' ? undefined : body.render(record),
          signal: deadline,
        });
        const text = await response.text();
        this.markConnected();
        if (isSuccess(statusCode)) return OK;
        return rejected(
          `HTTP ${statusCode}${text ? `: ${text.slice(0, 200)}` : ''}`,
          isRetryable(statusCode),
        );
      } finally {
        deadline.clear();
      }
    };
    return {
      maxBatchSize: config.maxBatchSize,
      send: (records) =>
        this.deliver(records, () => Promise.all(records.map((r) => this.attempt(r, request)))),
    };
  }

  private async attempt(
    record: DeliveryRecord,
    request: (record: DeliveryRecord) => Promise<DeliveryOutcome>,
  ): Promise<DeliveryOutcome> {
    try {
      return await request(record);
    } catch (error) {
      return this.outcomeOf(error);
    }
  }
}

/**
 * The whole request's deadline (queued in the pool, connect, headers, body), as an abort signal
 * undici accepts (it takes an EventEmitter-like `once`/`removeListener` as well as an EventTarget).
 * why not AbortSignal.timeout: per request it built an EventTarget, a weakly held timer and its
 * listener bookkeeping, ~13% of the connector's own CPU in the profile of `npm run
 * bench:http-connector` plus garbage (docs/benchmarks.md, "End to end"); this is one plain timer.
 */
class RequestDeadline {
  aborted = false;
  reason?: DeliveryTimeoutError;
  private listener?: () => void;
  private readonly timer: NodeJS.Timeout;

  constructor(ms: number) {
    this.timer = setTimeout(() => {
      this.aborted = true;
      this.reason = new DeliveryTimeoutError(`HTTP request timed out after ${ms} ms`);
      this.listener?.();
    }, ms);
  }

  on(_event: 'abort', listener: () => void): this {
    this.listener = listener;
    return this;
  }

  once(event: 'abort', listener: () => void): this {
    return this.on(event, listener);
  }

  removeListener(): this {
    this.listener = undefined;
    return this;
  }

  clear(): void {
    clearTimeout(this.timer);
  }
}

function compileHeaders(headers: Record<string, string>): [string, Template][] {
  return Object.entries(headers).map(([name, value]) => [
    name.toLowerCase(),
    compileField(`headers.${name}`, () => compileTemplate(value)),
  ]);
}

/** Base path, then the action's path, then the base URL's query joined with the action's. */
function joinPath(base: string, baseQuery: string, path: string): string {
  const joined = !path
    ? base || '/'
    : `${base}${path.startsWith('/') || path.startsWith('?') ? '' : '/'}${path}`;
  if (!baseQuery) return joined;
  return `${joined}${joined.includes('?') ? '&' : '?'}${baseQuery}`;
}
