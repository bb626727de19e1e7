import type { Redis } from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import type { RateLimiterFactory } from './publish-rate-limiter';

/**
 * Limiters whose counters live in Redis, so every gateway replica draws from the same budget per
 * key (with the default in-memory store each replica would grant the whole limit on its own).
 *
 * @example new PublishRateLimiter({ defaultMessagesPerSecond: 100, factory: redisRateLimiterFactory(redis) });
 */
export function redisRateLimiterFactory(
  client: Redis,
  keyPrefix = 'sluice_publish',
  windowSeconds = 1,
): RateLimiterFactory {
  return (points) =>
    new RateLimiterRedis({
      storeClient: client,
      points,
      duration: windowSeconds,
      keyPrefix: `${keyPrefix}_${points}`,
    });
}
