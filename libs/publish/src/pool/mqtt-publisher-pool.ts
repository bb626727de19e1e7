import type { PublishMessage } from '../request/to-publish-messages';
import {
  PooledConnection,
  type BrokerTarget,
  type ConnectionTimings,
  type PublishAck,
} from './pooled-connection';

export interface PublisherPoolOptions extends ConnectionTimings {
  /** Connections per tenant and broker. */
  connectionsPerPool: number;
  /** A pool unused this long is closed (its connections come back on the next request). */
  idleCloseMs: number;
  /** MQTT client id prefix; a random suffix follows. */
  clientIdPrefix: string;
}

export const defaultPoolOptions: PublisherPoolOptions = {
  connectionsPerPool: 2,
  connectTimeoutMs: 3_000,
  ackTimeoutMs: 10_000,
  retryAfterSeconds: 5,
  reconnectPeriodMs: 1_000,
  idleCloseMs: 300_000,
  clientIdPrefix: 'sluice-gw-',
};

interface Pool {
  connections: PooledConnection[];
  next: number;
  lastUsed: number;
}

/** A connection picked for one request: all its messages go over it, so they keep their order. */
export interface PublisherLease {
  publish(message: PublishMessage): Promise<PublishAck>;
}

/**
 * A small pool of MQTT 5 connections per tenant and broker, opened on first use, so a request
 * never opens a connection of its own.
 *
 * @example
 * const pool = new MqttPublisherPool({ connectionsPerPool: 2 });
 * const lease = await pool.acquire('tenant-a', { url: 'mqtt://127.0.0.1:1883' }); // BROKER_UNAVAILABLE after the timeout
 * await lease.publish({ topic: 'a/b', payload: Buffer.from('hi'), qos: 1, retain: false, properties: undefined });
 */
export class MqttPublisherPool {
  private readonly pools = new Map<string, Pool>();
  private readonly options: PublisherPoolOptions;
  private readonly sweeper: NodeJS.Timeout;

  constructor(options: Partial<PublisherPoolOptions> = {}) {
    this.options = { ...defaultPoolOptions, ...options };
    this.sweeper = setInterval(() => void this.closeIdle(), Math.max(1_000, this.options.idleCloseMs / 2));
    this.sweeper.unref();
  }

  /** A connected connection of the tenant's pool for `broker`; waits for one up to the connect timeout. */
  async acquire(tenantId: string | null, broker: BrokerTarget): Promise<PublisherLease> {
    const key = `${tenantId ?? ''}\u0000${broker.url}\u0000${broker.username ?? ''}`;
    let pool = this.pools.get(key);
    if (!pool) {
      const connections = Array.from(
        { length: this.options.connectionsPerPool },
        () => new PooledConnection(broker, this.options, this.options.clientIdPrefix),
      );
      pool = { connections, next: 0, lastUsed: Date.now() };
      this.pools.set(key, pool);
    }
    pool.lastUsed = Date.now();
    const count = pool.connections.length;
    for (let i = 0; i < count; i++) {
      const candidate = pool.connections[(pool.next + i) % count];
      if (candidate?.connected) {
        pool.next = (pool.next + i + 1) % count;
        return candidate;
      }
    }
    // none is connected yet: take whichever connects first
    return Promise.any(pool.connections.map(async (c) => (await c.waitConnected(), c))).catch(
      (aggregate: AggregateError) => {
        throw aggregate.errors[0];
      },
    );
  }

  /** Closes every connection (at shutdown). */
  async close(): Promise<void> {
    clearInterval(this.sweeper);
    const all = [...this.pools.values()].flatMap((pool) => pool.connections);
    this.pools.clear();
    await Promise.all(all.map((connection) => connection.close()));
  }

  private async closeIdle(): Promise<void> {
    const now = Date.now();
    for (const [key, pool] of this.pools) {
      if (now - pool.lastUsed < this.options.idleCloseMs) continue;
      this.pools.delete(key);
      await Promise.all(pool.connections.map((connection) => connection.close()));
    }
  }
}
