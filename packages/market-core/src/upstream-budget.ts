/**
 * A budget of upstream requests per exchange shared by every instance (apps/server/src/redis keeps
 * it in Redis as a token bucket), so N instances do not multiply what an exchange sees.
 *
 * Units are ccxt's: an exchange's `rateLimit` is the milliseconds one unit takes to refill, and each
 * endpoint costs the units ccxt's api definition gives it (`calculateRateLimiterCost`, e.g. binance's
 * all-symbols ticker/24hr costs 80 where one symbol costs 2). ccxt calls the hook with that cost
 * before every HTTP request, after which its own per-instance throttle still applies.
 */
export interface UpstreamBudget {
  /**
   * Resolves when `exchange` may send a request of `cost` units. Resolves at once when the shared
   * budget is unreachable (each instance then only has ccxt's own throttle, as without Redis).
   * Rejects with UPSTREAM_RATE_LIMITED (retryAfterMs set) when the wait would pass the request timeout.
   */
  take(exchange: string, cost: number, rateLimitMs: number): Promise<void>;
}
