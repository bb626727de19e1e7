import { connect, type LookupFunction } from 'node:net';
import type { Dispatcher, Pool } from 'undici';
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
      const { statusCode, text } = await exchange(
        this.pool,
        {
          path: joinPath(basePath, baseQuery, path.render(record)),
          method,
          headers: rendered,
          body: method === 'GET' ? undefined : body.render(record),
        },
        config.requestTimeoutMs,
      );
      this.markConnected();
      if (isSuccess(statusCode)) return OK;
      return rejected(`HTTP ${statusCode}${text ? `: ${text.slice(0, 200)}` : ''}`, isRetryable(statusCode));
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

/** How much of a response body is kept for the failure message (the rest is read and dropped). */
const KEPT_BODY_BYTES = 1024;

/**
 * One request through undici's `dispatch` with a handler of our own, settled by the response or
 * by the deadline, whichever comes first. The deadline covers the whole request (waiting in the
 * pool, connect, headers, body); when it passes, the promise rejects at once with
 * DeliveryTimeoutError and the request is aborted (on its socket, or as soon as the pool hands it
 * one). why not `pool.request` with `AbortSignal.timeout`: per request that built an EventTarget
 * signal with a weakly held timer, an AsyncResource and a Readable stream for the body; the
 * connector cost 1.9x bare undici's CPU per request, and this handler brings it to about bare
 * undici's (`npm run bench:http-connector`, docs/benchmarks.md "End to end").
 */
function exchange(
  pool: Pool,
  options: { path: string; method: Dispatcher.HttpMethod; headers: Record<string, string>; body?: string },
  timeoutMs: number,
): Promise<{ statusCode: number; text: string }> {
  return new Promise((resolve, reject) => {
    let settled = false;
    let controller: Dispatcher.DispatchController | undefined;
    let failure: Error | undefined;
    let statusCode = 0;
    const chunks: Buffer[] = [];
    let kept = 0;
    const fail = (error: Error): void => {
      if (settled) return;
      settled = true;
      failure = error;
      clearTimeout(timer);
      controller?.abort(error);
      reject(error);
    };
    const timer = setTimeout(
      () => fail(new DeliveryTimeoutError(`HTTP request timed out after ${timeoutMs} ms`)),
      timeoutMs,
    );
    pool.dispatch(options, {
      onRequestStart(started) {
        controller = started;
        // why: the deadline passed while the request waited in the pool
        if (failure) started.abort(failure);
      },
      onResponseStart(_, status) {
        statusCode = status;
      },
      onResponseData(_, chunk) {
        if (kept >= KEPT_BODY_BYTES) return;
        chunks.push(chunk);
        kept += chunk.length;
      },
      onResponseEnd() {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        const text = chunks.length === 0 ? '' : Buffer.concat(chunks).toString('utf8');
        resolve({ statusCode, text });
      },
      onResponseError(_, error) {
        fail(error);
      },
    });
  });
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
