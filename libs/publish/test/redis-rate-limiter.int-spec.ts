import { Redis } from 'ioredis';
import { PublishRateLimiter, redisRateLimiterFactory } from '@sluice/publish';
import { testNamespace, testServers } from '../../../test/support';

// Two gateway replicas, each with its own PublishRateLimiter, share one budget per key in Redis.
// why a long window: the test must not straddle two windows on a loaded machine
const WINDOW = 60;

describe('rate limits shared through Redis', () => {
  const ns = testNamespace();
  const redis = new Redis(testServers.redisUrl);
  afterAll(async () => {
    const keys = await redis.keys(`${ns.id}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  it('refuses what two replicas together publish beyond the key limit', async () => {
    const replicaA = new PublishRateLimiter({
      defaultMessagesPerSecond: 10,
      factory: redisRateLimiterFactory(redis, ns.id, WINDOW),
    });
    const replicaB = new PublishRateLimiter({
      defaultMessagesPerSecond: 10,
      factory: redisRateLimiterFactory(redis, ns.id, WINDOW),
    });
    const principal = { keyId: 'key-1', rateLimit: null };
    await replicaA.consume(principal, 6);
    await replicaB.consume(principal, 4);
    // each replica alone has used less than 10; together they have used the key's whole second
    await expect(replicaB.consume(principal, 1)).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    await expect(replicaA.consume(principal, 1)).rejects.toMatchObject({ code: 'RATE_LIMITED' });
  });

  it('keeps keys apart', async () => {
    const limiter = new PublishRateLimiter({
      defaultMessagesPerSecond: 5,
      factory: redisRateLimiterFactory(redis, ns.id, WINDOW),
    });
    await limiter.consume({ keyId: 'a', rateLimit: null }, 5);
    await limiter.consume({ keyId: 'b', rateLimit: null }, 5);
    await expect(limiter.consume({ keyId: 'a', rateLimit: null }, 1)).rejects.toMatchObject({
      code: 'RATE_LIMITED',
    });
  });
});
