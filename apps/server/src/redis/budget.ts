import { MarketError } from '@marketgate/market-core';
import type { UpstreamBudget } from '@marketgate/market-core';
import type { RedisLink } from './link.js';

/**
 * Token bucket per exchange in Redis, with Redis's clock (TIME) so every instance agrees. It refills
 * one cost unit per `rateLimit` ms (ccxt's own figure for the exchange) up to `burst` units. Like
 * ccxt's throttler, a request goes when the bucket is not in debt and then pays its cost, which may
 * leave it in debt; the answer is how long the caller waits first. A wait beyond `maxWait` is
 * refused without spending anything. Returns {1|-1, waitMs}.
 */
const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local cost = tonumber(ARGV[1])
local per = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
local maxWait = tonumber(ARGV[4])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1])
local ts = tonumber(state[2])
if tokens == nil or ts == nil then tokens = burst; ts = now end
tokens = math.min(burst, tokens + math.max(0, now - ts) / per)
local wait = 0
if tokens < 0 then wait = math.ceil(-tokens * per) end
if wait > maxWait then return {-1, wait} end
tokens = tokens - cost
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) * per) + 1000)
return {1, wait}
`;

export interface RedisUpstreamBudgetOptions {
  /** Longest a request waits for budget: MCP_REQUEST_TIMEOUT_MS. */
  maxWaitMs: number;
  /** Units the bucket holds when idle (ccxt's throttler holds 1). */
  burst?: number;
  prefix?: string;
}

/** The shared per-exchange upstream budget (see UpstreamBudget); memory-free fallback while Redis is away. */
export class RedisUpstreamBudget implements UpstreamBudget {
  /** Requests that had to wait for the shared budget, and the total wait (stats, tests). */
  waited = 0;
  waitedMs = 0;
  granted = 0;
  refused = 0;
  private readonly burst: number;
  private readonly prefix: string;

  constructor(
    private readonly link: RedisLink,
    private readonly options: RedisUpstreamBudgetOptions,
  ) {
    this.burst = options.burst ?? 1;
    this.prefix = options.prefix ?? 'mg:';
  }

  async take(exchange: string, cost: number, rateLimitMs: number): Promise<void> {
    if (!(rateLimitMs > 0) || this.link.client.status !== 'ready') return;
    let answer: [number, number];
    try {
      answer = (await this.link.client.eval(
        TAKE,
        1,
        `${this.prefix}budget:${exchange}`,
        String(cost),
        String(rateLimitMs),
        String(this.burst),
        String(this.options.maxWaitMs),
      )) as [number, number];
    } catch {
      return; // Redis away or slow: ccxt's own per-instance throttle still applies
    }
    const [ok, waitMs] = answer;
    if (ok !== 1) {
      this.refused++;
      throw new MarketError(
        'UPSTREAM_RATE_LIMITED',
        `${exchange}: the shared upstream budget is spent for the next ${Math.ceil(waitMs / 1000)} s`,
        { exchange, retryAfterMs: waitMs },
      );
    }
    this.granted++;
    if (waitMs > 0) {
      this.waited++;
      this.waitedMs += waitMs;
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  }
}
