import { backoffDelayMs } from '@sluice/backoff';
import type { Redis } from 'ioredis';
import type { Action, ConnectorOptions, DeliveryOutcome, DeliveryRecord } from '../connector';
import { ConnectorUnavailableError, deliveryCodes } from '../errors';
import { BaseConnector } from '../shared/base-connector';
import { OK, errorMessage, failed, rejected, unavailable } from '../shared/outcomes';
import { compileField, nodeTlsOptions, parseConfig } from '../shared/parse-config';
import { compileCommandTemplate } from '../template/command-template';
import { redisActionSchema, redisConnectorSchema, type RedisConnectorConfig } from './redis.config';
import { urlEndpoints, type Endpoint } from '../targets/target-policy';

/** Replies that say "not now" (loading, failover), not "this command is wrong". */
const transientReplies = /^(LOADING|BUSY|TRYAGAIN|CLUSTERDOWN|MASTERDOWN|READONLY)\b/;

/**
 * Redis through ioredis: one pipeline per batch. ioredis reconnects by itself; the offline queue is
 * off so that a batch sent while the server is gone fails at once (retryable) instead of waiting.
 * At-least-once; commands that set (`SET`, `HSET`) are idempotent, appends (`XADD`, `LPUSH`) are not.
 */
export class RedisConnector extends BaseConnector {
  readonly kind = 'redis';
  readonly config: RedisConnectorConfig;
  private readonly clients: Redis[];
  private next = 0;
  private lastError?: string;

  constructor(config: unknown, options: ConnectorOptions = {}) {
    super(options);
    this.config = parseConfig(redisConnectorSchema, config);
    const c = this.config;
    const tls = nodeTlsOptions(c.tls) ?? (c.url.startsWith('rediss:') ? {} : undefined);
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the driver loads with the first connector of its kind (docs/architecture.md, "Memory")
    const { Redis: RedisClient } = require('ioredis') as typeof import('ioredis');
    this.clients = Array.from({ length: c.poolSize }, () => {
      const client = new RedisClient(c.url, {
        username: c.username,
        password: c.password,
        db: c.database,
        tls,
        lazyConnect: true,
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        connectTimeout: c.connectTimeoutMs,
        commandTimeout: c.commandTimeoutMs,
        retryStrategy: (times) => backoffDelayMs(times + 1, { baseMs: 100, maxMs: 5_000, jitter: false }),
      });
      client.on('error', (error: unknown) => {
        this.lastError = errorMessage(error);
        this.markDisconnected(this.lastError);
      });
      client.on('ready', () => {
        if (this.clients.every((c2) => c2.status === 'ready')) this.markConnected();
      });
      client.on('reconnecting', () => this.markDisconnected(this.lastError ?? 'reconnecting'));
      return client;
    });
  }

  endpoints(): Endpoint[] {
    return urlEndpoints(this.config.url, 6379);
  }

  protected async connect(): Promise<void> {
    await Promise.all(this.clients.map((client) => this.ensure(client)));
  }

  protected async probe(): Promise<void> {
    await this.connect();
    await Promise.all(this.clients.map((client) => client.ping()));
  }

  private async ensure(client: Redis): Promise<void> {
    if (client.status === 'wait' || client.status === 'end') {
      // why: connect() rejects with a bare "Connection is closed."; the cause came in the error event
      await client.connect().catch((error: unknown) => {
        throw new ConnectorUnavailableError(this.lastError ?? errorMessage(error));
      });
    } else if (client.status !== 'ready')
      throw new ConnectorUnavailableError(this.lastError ?? `redis connection is ${client.status}`);
  }

  protected async disconnect(): Promise<void> {
    await Promise.all(this.clients.map((client) => client.quit().catch(() => client.disconnect())));
  }

  createAction(input: unknown): Action {
    const config = parseConfig(redisActionSchema, input);
    const template = compileField('command', () => compileCommandTemplate(config.command));
    const send = async (records: readonly DeliveryRecord[]): Promise<DeliveryOutcome[]> => {
      const client = this.clients[this.next++ % this.clients.length]!;
      await this.ensure(client);
      const pipeline = client.pipeline();
      for (const record of records) void pipeline.call(template.command, ...template.args(record));
      const replies = await pipeline.exec();
      if (!replies) throw new Error('redis pipeline was discarded');
      const outcomes = replies.map(([error]) => (error ? this.replyOutcome(error) : OK));
      if (outcomes.some((o) => o.ok || !o.retryable)) this.markConnected();
      return outcomes;
    };
    return {
      maxBatchSize: config.maxBatchSize,
      send: (records) => this.deliver(records, () => send(records)),
    };
  }

  private replyOutcome(error: Error): DeliveryOutcome {
    const message = errorMessage(error);
    if (error.name === 'ReplyError') return rejected(message, transientReplies.test(error.message));
    if (/timed out/i.test(message)) return failed(deliveryCodes.timeout, message, true);
    return unavailable(message);
  }

  protected override outcomeOf(error: unknown): DeliveryOutcome {
    const message = errorMessage(error);
    if (/timed out/i.test(message)) return failed(deliveryCodes.timeout, message, true);
    if (!/writeable|connection is|closed/i.test(message)) return super.outcomeOf(error);
    this.markDisconnected(this.lastError ?? message);
    const reason = this.lastError && this.lastError !== message ? `${message} (${this.lastError})` : message;
    return unavailable(reason);
  }
}
