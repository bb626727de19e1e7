import { backoffDelayMs } from '@sluice/backoff';
import type { Socket } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import type { Redis, RedisOptions } from 'ioredis';
import type { Action, ConnectorOptions, DeliveryOutcome, DeliveryRecord } from '../connector';
import { ConnectorUnavailableError, deliveryCodes } from '../errors';
import { BaseConnector } from '../shared/base-connector';
import { OK, errorMessage, failed, rejected, unavailable } from '../shared/outcomes';
import { compileField, nodeTlsOptions, parseConfig } from '../shared/parse-config';
import { compileCommandTemplate } from '../template/command-template';
import { redisActionSchema, redisConnectorSchema, type RedisConnectorConfig } from './redis.config';
import { urlEndpoints, type Endpoint, type TargetPolicy } from '../targets/target-policy';

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
    const ioredis = require('ioredis') as typeof import('ioredis');
    const RedisClient = ioredis.Redis;
    const connector = options.targets && checkedConnector(ioredis, options.targets);
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
        // why a connector of our own for a tenant's: ioredis resolves the host itself; this one
        // connects (and reconnects) only to addresses the policy checked when it resolved them
        ...(connector && { Connector: connector }),
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

/**
 * An ioredis connector (what opens its socket) that connects through the target policy: the name
 * is resolved and checked once per connection and the socket goes to the checked address; TLS
 * keeps the name as servername. Built per connector: ioredis constructs it with its options only.
 */
function checkedConnector(
  ioredis: typeof import('ioredis'),
  targets: TargetPolicy,
): NonNullable<RedisOptions['Connector']> {
  return class CheckedConnector extends ioredis.AbstractConnector {
    private readonly redis: {
      host?: string;
      port?: number;
      tls?: ConnectionOptions;
      disconnectTimeout?: number;
    };

    constructor(options: unknown) {
      const redis = options as CheckedConnector['redis'];
      super(redis.disconnectTimeout ?? 2_000);
      this.redis = redis;
    }

    connect(): Promise<Socket> {
      this.connecting = true;
      // why the next tick: ioredis attaches its listeners after connect() resolves (as its own connector does)
      return new Promise((resolve, reject) => {
        process.nextTick(() => {
          if (!this.connecting) return reject(new Error('Connection is closed.'));
          const endpoint = { host: this.redis.host ?? 'localhost', port: this.redis.port ?? 6379 };
          const stream = targets.socketTo(endpoint, this.redis.tls);
          stream.once('error', (error) => (this.firstError = error));
          this.stream = stream;
          resolve(stream);
        });
      });
    }
  };
}
