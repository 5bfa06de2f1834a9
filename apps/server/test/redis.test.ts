import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createMarketClient, marketErrorOf } from '@marketgate/client';
import type { MarketClient } from '@marketgate/client';
import type { ExchangeSource } from '@marketgate/market-core';
import { createSimExchange } from '@marketgate/market-core';
import { RedisServer, requireRedis } from './helpers/redis-server.js';
import { startStreamServer } from './stream-helpers.js';
import type { StreamTestServer } from './stream-helpers.js';

/** Polls `check` until it holds or `timeoutMs` passes (no fixed sleeps). */
async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 10_000, what = 'condition') {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** sim with its upstream calls counted, shared by every instance of a test (they all "reach one exchange"). */
function countingSim() {
  const calls = { fetchTicker: 0, fetchTickers: 0, fetchOrderBook: 0 };
  const sim = createSimExchange();
  const source: ExchangeSource = {
    ...sim,
    fetchTicker: async (symbol) => {
      calls.fetchTicker++;
      // a little upstream latency, so cold requests at different instances overlap
      await new Promise((r) => setTimeout(r, 30));
      return sim.fetchTicker(symbol);
    },
    fetchTickers: (symbols) => {
      calls.fetchTickers++;
      return sim.fetchTickers(symbols);
    },
    fetchOrderBook: (symbol, limit) => {
      calls.fetchOrderBook++;
      return sim.fetchOrderBook(symbol, limit);
    },
  };
  return { calls, createSource: (id: string) => (id === 'sim' ? source : undefined) };
}

const haveRedis = requireRedis();

describe.runIf(haveRedis)('3 instances sharing one Redis', () => {
  let redis: RedisServer;
  let admin: Redis;
  let servers: StreamTestServer[] = [];
  let clients: MarketClient[] = [];
  let counted: ReturnType<typeof countingSim>;

  async function startThree(env: Record<string, string> = {}) {
    counted = countingSim();
    servers = await Promise.all(
      [0, 1, 2].map(() =>
        startStreamServer({ MCP_REDIS_URL: redis.url, MCP_LOG_LEVEL: 'warn', ...env }, counted.createSource),
      ),
    );
    await Promise.all(servers.map((s) => s.server.deps.redis!.link.ready(15_000)));
    clients = servers.map((s) => createMarketClient({ url: s.url, maxStreamRetries: 0 }));
  }

  beforeAll(async () => {
    redis = await RedisServer.start();
    admin = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    admin.on('error', () => undefined);
  });
  afterEach(async () => {
    await Promise.all(servers.map((s) => s.close()));
    servers = [];
    await redis.start();
    if (admin.status !== 'ready') await admin.connect().catch(() => undefined);
    await admin.flushall();
  });
  afterAll(async () => {
    admin.disconnect();
    await redis.stop();
  });

  it('shares the cache: a key fetched through all 3 makes one upstream call, cold or warm', async () => {
    await startThree();
    // load sim's markets on each instance first (per instance, not counted below)
    await Promise.all(clients.map((c) => c.exchanges.markets.query({ exchange: 'sim', limit: 1 })));
    // cold, at the same moment at the 3 instances
    const cold = await Promise.all(
      clients.map((c) => c.market.ticker.query({ exchange: 'sim', symbol: 'ETH/USDT' })),
    );
    expect(counted.calls.fetchTicker).toBe(1);
    expect(new Set(cold.map((t) => t.last)).size).toBe(1);
    // warm: fetched through the first, answered from Redis by the others
    const first = await clients[0]!.market.ticker.query({ exchange: 'sim', symbol: 'SOL/USDT' });
    const second = await clients[1]!.market.ticker.query({ exchange: 'sim', symbol: 'SOL/USDT' });
    const third = await clients[2]!.market.ticker.query({ exchange: 'sim', symbol: 'SOL/USDT' });
    expect(counted.calls.fetchTicker).toBe(2);
    expect(first.cached).toBe(false);
    expect(second).toEqual({ ...first, cached: true });
    expect(third.cached).toBe(true);
    // order books too, and system.stats shows the one upstream call
    await Promise.all(
      clients.map((c) => c.market.orderBook.query({ exchange: 'sim', symbol: 'BTC/USDT', depth: 5 })),
    );
    expect(counted.calls.fetchOrderBook).toBe(1);
    const stats = await Promise.all(clients.map((c) => c.system.stats.query()));
    const upstreamTotal = stats.reduce((sum, s) => sum + (s.upstream.calls.sim ?? 0), 0);
    // 3 loadMarkets (one per instance) + 2 tickers + 1 order book
    expect(upstreamTotal).toBe(6);
  });

  it('shares client rate limits: the budget is the same whichever instance a client reaches', async () => {
    await startThree({ MCP_RATE_LIMIT_REQUESTS: '6', MCP_RATE_LIMIT_PERIOD: '60' });
    const outcomes: string[] = [];
    for (let i = 0; i < 9; i++) {
      try {
        await clients[i % 3]!.market.ticker.query({ exchange: 'sim', symbol: 'BTC/USDT' });
        outcomes.push('ok');
      } catch (error) {
        outcomes.push(marketErrorOf(error)?.reason ?? String(error));
      }
    }
    // 6 in all across the instances, not 6 per instance
    expect(outcomes).toEqual([
      'ok',
      'ok',
      'ok',
      'ok',
      'ok',
      'ok',
      'RATE_LIMITED',
      'RATE_LIMITED',
      'RATE_LIMITED',
    ]);
    const rejected = servers.map((s) => s.server.deps.limiter.rejected);
    expect(rejected).toEqual([1, 1, 1]);
  });

  it('keeps serving from memory while Redis is away, reports degraded, and rejoins when it returns', async () => {
    await startThree({ MCP_RATE_LIMIT_REQUESTS: '1000' });
    for (const c of clients) expect((await c.system.health.query()).status).toBe('ok');
    await redis.stop();
    await eventually(
      async () =>
        (await Promise.all(clients.map((c) => c.system.health.query()))).every(
          (h) => h.status === 'degraded',
        ),
      10_000,
      'degraded health',
    );
    for (const s of servers) {
      const res = await fetch(`${s.url}/readyz`);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { status: string }).status).toBe('degraded');
    }
    // every instance still answers, promptly, from its own memory and its own limits
    const during = counted.calls.fetchTicker;
    const started = Date.now();
    const answers = await Promise.all(
      clients.map((c) => c.market.ticker.query({ exchange: 'sim', symbol: 'XRP/USDT' })),
    );
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(answers.every((t) => t.symbol === 'XRP/USDT')).toBe(true);
    // on its own, each instance asks upstream itself
    expect(counted.calls.fetchTicker - during).toBe(3);

    await redis.start();
    await eventually(
      async () =>
        (await Promise.all(clients.map((c) => c.system.health.query()))).every((h) => h.status === 'ok'),
      10_000,
      'health back to ok',
    );
    // shared again: a fresh key through all 3 is one upstream call
    const before = counted.calls.fetchTicker;
    await clients[0]!.market.ticker.query({ exchange: 'sim', symbol: 'DOGE/USDT' });
    await clients[1]!.market.ticker.query({ exchange: 'sim', symbol: 'DOGE/USDT' });
    await clients[2]!.market.ticker.query({ exchange: 'sim', symbol: 'DOGE/USDT' });
    expect(counted.calls.fetchTicker - before).toBe(1);
  });

  it('does not hang on a Redis that stops answering: degraded within seconds, fast answers meanwhile', async () => {
    await startThree({ MCP_RATE_LIMIT_REQUESTS: '1000' });
    redis.pause();
    try {
      // the first requests wait at most the command timeout (1 s) per Redis step before going local
      const started = Date.now();
      const answers = await Promise.all(
        clients.map((c) => c.market.ticker.query({ exchange: 'sim', symbol: 'ADA/USDT' })),
      );
      expect(answers).toHaveLength(3);
      expect(Date.now() - started).toBeLessThan(3_500);
      await eventually(
        async () =>
          (await Promise.all(clients.map((c) => c.system.health.query()))).every(
            (h) => h.status === 'degraded',
          ),
        10_000,
        'degraded health',
      );
      // once degraded nothing waits on Redis at all
      const fast = Date.now();
      await Promise.all(clients.map((c) => c.market.trades.query({ exchange: 'sim', symbol: 'ADA/USDT' })));
      expect(Date.now() - fast).toBeLessThan(500);
    } finally {
      redis.resume();
    }
    await eventually(
      async () =>
        (await Promise.all(clients.map((c) => c.system.health.query()))).every((h) => h.status === 'ok'),
      10_000,
      'health back to ok',
    );
  });

  it("runs a feed only one follower wants at the leader, which holds it open for that follower's subscribers", async () => {
    // each instance counts its own upstream calls
    const perInstance = [countingSim(), countingSim()];
    const env = {
      MCP_REDIS_URL: redis.url,
      MCP_LOG_LEVEL: 'warn',
      MCP_STREAM_MODE: 'poll',
      MCP_POLL_INTERVAL_MS: '200',
      MCP_TICKER_CACHE_TTL: '0.1',
    };
    servers = [];
    for (const counter of perInstance) {
      servers.push(await startStreamServer(env, counter.createSource));
      await servers.at(-1)!.server.deps.redis!.link.ready(15_000);
    }
    const [a, b] = servers.map((s) => s.server.deps.feeds);
    // a leads sim (its ticker feed comes first); b alone wants an order book
    const ticker = await a!.subscribeTicker({ exchange: 'sim', symbol: 'BTC/USDT' });
    await ticker.next();
    await eventually(() => servers[0]!.server.deps.redis!.feeds.roles().sim === 'leader', 10_000, 'a leads');
    const book = await b!.subscribeOrderBook({ exchange: 'sim', symbol: 'SOL/USDT', depth: 5 });
    const updates: string[] = [];
    for await (const update of book) {
      if (update.event.type === 'orderBook') updates.push(update.id);
      if (updates.length >= 3) break;
    }
    expect(servers[1]!.server.deps.redis!.feeds.roles().sim).toBe('follower');
    expect(b!.stats().modes['orderBook:sim:SOL/USDT:5']).toBe('remote');
    // the leader runs it with no subscriber of its own (a remote hold is not a subscriber)
    expect(a!.stats().modes['orderBook:sim:SOL/USDT:5']).toBe('poll');
    expect(a!.stats().subscribers).toBe(1);
    expect(perInstance[0]!.calls.fetchOrderBook).toBeGreaterThanOrEqual(3);
    expect(perInstance[1]!.calls.fetchOrderBook).toBe(0);
    ticker.close();
    // b's subscriber gone: the leader drops the hold and, with nothing left, both hubs go idle
    await Promise.all([a!.whenIdle(), b!.whenIdle()]);
  });
});

