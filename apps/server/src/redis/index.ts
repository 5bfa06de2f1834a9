import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { SharedMarketCache } from '@marketgate/market-core';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { RedisUpstreamBudget } from './budget.js';
import { RedisCacheStore } from './cache-store.js';
import { RedisFeedCoordinator } from './feeds.js';
import { RedisLink } from './link.js';

export { RedisLink } from './link.js';
export { RedisCacheStore } from './cache-store.js';
export { RedisUpstreamBudget } from './budget.js';
export { RedisFeedCoordinator } from './feeds.js';
export type { FeedRole } from './feeds.js';

/** Everything an instance shares with the others through MCP_REDIS_URL. */
export interface RedisSharing {
  link: RedisLink;
  cache: SharedMarketCache;
  budget: RedisUpstreamBudget;
  feeds: RedisFeedCoordinator;
  /** The client rate limiter in Redis, insured by an in-memory one while Redis is away. */
  rateLimiter(requests: number, periodS: number): RateLimiterAbstract;
  degraded(): string[];
  close(): Promise<void>;
}

export function createRedisSharing(
  config: Pick<Config, 'redisUrl' | 'cacheMaxEntries' | 'requestTimeoutMs'>,
  log: Logger,
): RedisSharing {
  if (!config.redisUrl) throw new Error('MCP_REDIS_URL is not set');
  const link = new RedisLink({ url: config.redisUrl, log });
  const cache = new SharedMarketCache({
    store: new RedisCacheStore(link),
    maxEntries: config.cacheMaxEntries,
    lockMs: Math.min(config.requestTimeoutMs, 5_000),
  });
  const budget = new RedisUpstreamBudget(link, { maxWaitMs: config.requestTimeoutMs });
  const feeds = new RedisFeedCoordinator(link, { log });
  return {
    link,
    cache,
    budget,
    feeds,
    rateLimiter: (requests, periodS) =>
      new RateLimiterRedis({
        storeClient: link.client,
        keyPrefix: 'mg:rl',
        points: requests,
        duration: periodS,
        // while Redis is away (or slow), each instance counts on its own
        rejectIfRedisNotReady: true,
        insuranceLimiter: new RateLimiterMemory({ points: requests, duration: periodS }),
      }),
    degraded: () => link.degraded(),
    async close() {
      await feeds.close();
      await link.close();
    },
  };
}
