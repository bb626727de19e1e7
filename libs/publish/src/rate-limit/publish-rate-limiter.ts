import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { RateLimitedError } from '../errors';
import type { PublishPrincipal } from '../auth/api-key-verifier';

/**
 * Builds the limiter for one limit (messages per second). The default keeps counters in this
 * process; for several gateway replicas pass one backed by Redis (`RateLimiterRedis`), or each
 * replica grants the whole limit on its own.
 */
export type RateLimiterFactory = (messagesPerSecond: number) => RateLimiterAbstract;

const memoryLimiter: RateLimiterFactory = (points) =>
  new RateLimiterMemory({ points, duration: 1, keyPrefix: `sluice_publish_${points}` });

/**
 * Per-key rate limiting of published messages (a bulk of 10 costs 10), with one fixed one-second
 * window per key. Keys have their own limits, so there is one limiter per distinct limit.
 *
 * @example
 * const limiter = new PublishRateLimiter({ defaultMessagesPerSecond: 100 });
 * await limiter.consume(principal, 3); // throws RateLimitedError (retryAfterSeconds) when over
 */
export class PublishRateLimiter {
  private readonly limiters = new Map<number, RateLimiterAbstract>();
  private readonly factory: RateLimiterFactory;

  constructor(private readonly options: { defaultMessagesPerSecond: number; factory?: RateLimiterFactory }) {
    this.factory = options.factory ?? memoryLimiter;
  }

  async consume(principal: Pick<PublishPrincipal, 'keyId' | 'rateLimit'>, messages: number): Promise<void> {
    if (principal.rateLimit === 'unlimited') return;
    const limit = principal.rateLimit ?? this.options.defaultMessagesPerSecond;
    if (messages > limit) {
      throw new RateLimitedError(
        `this request has ${messages} messages but the key may publish at most ${limit} per second: split it`,
        1,
      );
    }
    let limiter = this.limiters.get(limit);
    if (!limiter) {
      limiter = this.factory(limit);
      this.limiters.set(limit, limiter);
    }
    try {
      await limiter.consume(principal.keyId, messages);
    } catch (rejection) {
      // why: the library rejects with a RateLimiterRes when over the limit and with an Error when its store fails
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      throw new RateLimitedError(
        `rate limit of ${limit} messages per second reached for this key`,
        Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)),
      );
    }
  }
}
