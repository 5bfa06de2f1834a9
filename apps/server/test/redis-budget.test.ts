import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { MarketError, createCcxtExchange } from '@marketgate/market-core';
import { RedisLink, RedisUpstreamBudget } from '../src/redis/index.js';
import { RedisServer, requireRedis } from './helpers/redis-server.js';

const haveRedis = requireRedis();
const log = pino({ level: 'silent' });

describe.runIf(haveRedis)('shared upstream budget (Redis token bucket per exchange)', () => {
  let redis: RedisServer;
  let links: RedisLink[] = [];

  beforeAll(async () => {
    redis = await RedisServer.start();
    links = [0, 1, 2].map(() => new RedisLink({ url: redis.url, log }));
    await Promise.all(links.map((l) => l.ready()));
  });
  afterAll(async () => {
    await Promise.all(links.map((l) => l.close()));
    await redis.stop();
  });

  it('3 instances together get what one exchange allows, not 3 times as much', async () => {
    const budgets = links.map((l) => new RedisUpstreamBudget(l, { maxWaitMs: 10_000 }));
    const rateLimitMs = 20; // 50 unit-cost requests a second
    const windowMs = 1_000;
    const started = Date.now();
    const sent = [0, 0, 0];
    await Promise.all(
      budgets.map(async (budget, i) => {
        // each instance sends as fast as its budget lets it, 4 requests at a time
        await Promise.all(
          Array.from({ length: 4 }, async () => {
            while (Date.now() - started < windowMs) {
              await budget.take('shared-ex', 1, rateLimitMs);
              if (Date.now() - started < windowMs) sent[i]!++;
            }
          }),
        );
      }),
    );
    const total = sent.reduce((a, b) => a + b, 0);
    // one bucket: windowMs / rateLimitMs (+ the burst of 1), whichever instance sends
    expect(total).toBeGreaterThanOrEqual(40);
    expect(total).toBeLessThanOrEqual(windowMs / rateLimitMs + 2);
    expect(sent.every((n) => n > 0)).toBe(true);
  });

  it("weighs requests by ccxt's per-endpoint cost, and refuses a wait beyond the request timeout", async () => {
    const [a, b] = links.map((l) => new RedisUpstreamBudget(l, { maxWaitMs: 300 }));
    // a cost-10 request at 20 ms a unit leaves the bucket 200 ms in debt: the next one, anywhere, waits
    await a!.take('weighted-ex', 10, 20);
    const started = Date.now();
    await b!.take('weighted-ex', 1, 20);
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    // now 20 ms in debt and paying 50 units (1000 ms of debt): the request after it would wait too long
    await a!.take('weighted-ex', 50, 20);
    const refused = await b!.take('weighted-ex', 1, 20).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(MarketError);
    expect(refused).toMatchObject({ reason: 'UPSTREAM_RATE_LIMITED', retryable: true });
    expect((refused as MarketError).retryAfterMs).toBeGreaterThan(300);
    expect(b!.refused).toBe(1);
  });

  it("is fed by ccxt's own cost calculation before each HTTP request", async () => {
    const seen: [number, number][] = [];
    const exchange = createCcxtExchange('binance', {
      timeoutMs: 1_000,
      // nothing listens there: the request fails locally after the budget was asked
      proxyUrl: 'http://127.0.0.1:9',
      throttle: (cost, rateLimitMs) => {
        seen.push([cost, rateLimitMs]);
        return Promise.resolve();
      },
    });
    const implicit = exchange as unknown as Record<string, (params: object) => Promise<unknown>>;
    await implicit.publicGetTicker24hr!({}).catch(() => undefined);
    await implicit.publicGetTicker24hr!({ symbol: 'BTCUSDT' }).catch(() => undefined);
    // binance: 50 ms a unit; all-symbols ticker/24hr weighs 80 (16 units), one symbol 2 (0.4 units)
    expect(seen).toEqual([
      [16, 50],
      [0.4, 50],
    ]);
    await exchange.close();
  });

  it('lets requests through at once while Redis is away', async () => {
    const link = new RedisLink({ url: 'redis://127.0.0.1:9', log });
    const budget = new RedisUpstreamBudget(link, { maxWaitMs: 1_000 });
    const started = Date.now();
    for (let i = 0; i < 5; i++) await budget.take('any', 100, 1_000);
    expect(Date.now() - started).toBeLessThan(100);
    expect(link.degraded()).toHaveLength(1);
    await link.close();
  });
});

