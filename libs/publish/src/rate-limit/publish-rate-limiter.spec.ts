import { PublishRateLimiter, RateLimitedError } from '@sluice/publish';
import { RateLimiterMemory } from 'rate-limiter-flexible';

async function rejection(promise: Promise<unknown>): Promise<RateLimitedError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RateLimitedError);
  return error as RateLimitedError;
}

describe('PublishRateLimiter', () => {
  it("grants the key's own limit per second, then answers RATE_LIMITED with a retry time of 1 s", async () => {
    const limiter = new PublishRateLimiter({ defaultMessagesPerSecond: 100 });
    const key = { keyId: 'k1', rateLimit: 3 };
    await limiter.consume(key, 2);
    await limiter.consume(key, 1);
    const error = await rejection(limiter.consume(key, 1));
    expect(error.code).toBe('RATE_LIMITED');
    // the window is one second long, so the wait is at most one second, rounded up
    expect(error.retryAfterSeconds).toBe(1);
  });

  it('counts keys separately and uses the default when the key has none', async () => {
    const limiter = new PublishRateLimiter({ defaultMessagesPerSecond: 2 });
    await limiter.consume({ keyId: 'a', rateLimit: null }, 2);
    await limiter.consume({ keyId: 'b', rateLimit: null }, 2);
    await rejection(limiter.consume({ keyId: 'a', rateLimit: null }, 1));
  });

  it('never limits the operator key', async () => {
    const limiter = new PublishRateLimiter({ defaultMessagesPerSecond: 1 });
    for (let i = 0; i < 50; i++) await limiter.consume({ keyId: 'admin', rateLimit: 'unlimited' }, 10);
  });

  it('rejects a batch larger than the limit outright, without spending the budget', async () => {
    const limiter = new PublishRateLimiter({ defaultMessagesPerSecond: 100 });
    const error = await rejection(limiter.consume({ keyId: 'k', rateLimit: 5 }, 6));
    expect(error.message).toMatch(/at most 5 per second/);
    await limiter.consume({ keyId: 'k', rateLimit: 5 }, 5);
  });

  it('builds limiters with the given factory (how a Redis store is plugged in), one per limit', async () => {
    const built: number[] = [];
    const limiter = new PublishRateLimiter({
      defaultMessagesPerSecond: 10,
      factory: (points) => {
        built.push(points);
        return new RateLimiterMemory({ points, duration: 1 });
      },
    });
    await limiter.consume({ keyId: 'a', rateLimit: 4 }, 1);
    await limiter.consume({ keyId: 'b', rateLimit: 4 }, 1);
    await limiter.consume({ keyId: 'c', rateLimit: null }, 1);
    expect(built).toEqual([4, 10]);
  });

  it('passes a failure of the store on as it is, not as RATE_LIMITED', async () => {
    const broken = new RateLimiterMemory({ points: 1, duration: 1 });
    broken.consume = () => Promise.reject(new Error('redis down'));
    const limiter = new PublishRateLimiter({ defaultMessagesPerSecond: 10, factory: () => broken });
    await expect(limiter.consume({ keyId: 'a', rateLimit: null }, 1)).rejects.toThrow('redis down');
  });
});
