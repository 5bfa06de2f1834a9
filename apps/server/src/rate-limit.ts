import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { MarketError } from '@marketgate/market-core';

/** Per-client request budget (MCP_RATE_LIMIT_REQUESTS per MCP_RATE_LIMIT_PERIOD seconds). */
export class ClientRateLimiter {
  rejected = 0;

  constructor(private limiter: RateLimiterAbstract) {}

  static inMemory(requests: number, periodS: number): ClientRateLimiter {
    return new ClientRateLimiter(new RateLimiterMemory({ points: requests, duration: periodS }));
  }

  /** Swap the backing store (Redis when it joins, memory when it leaves) keeping the counters. */
  use(limiter: RateLimiterAbstract): void {
    this.limiter = limiter;
  }

  /** Spends one request if the budget allows; false (and nothing counted as rejected) when it does not. */
  async tryConsume(client: string): Promise<boolean> {
    try {
      await this.limiter.consume(client, 1);
      return true;
    } catch (error) {
      if (error instanceof RateLimiterRes) return false;
      throw error;
    }
  }

  /** Spends one request of `client`'s budget, or throws RATE_LIMITED with the wait until the next one. */
  async consume(client: string, points = 1): Promise<void> {
    try {
      await this.limiter.consume(client, points);
    } catch (error) {
      if (error instanceof RateLimiterRes) {
        this.rejected++;
        const retryAfterMs = Math.max(1, Math.ceil(error.msBeforeNext));
        throw new MarketError(
          'RATE_LIMITED',
          `Rate limit exceeded: retry in ${Math.ceil(retryAfterMs / 1000)} s`,
          {
            retryAfterMs,
          },
        );
      }
      throw error;
    }
  }
}
