import ccxt from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { marketErrorOf } from '@marketgate/client';
import { failingExchanges, startTestServer } from './helpers/server.js';
import type { TestServer } from './helpers/server.js';

async function reasonOf(call: Promise<unknown>) {
  try {
    await call;
  } catch (error) {
    return marketErrorOf(error);
  }
  throw new Error('expected the call to fail');
}

function get(url: string, path: string, input?: unknown, headers: Record<string, string> = {}) {
  const query = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`;
  return fetch(`${url}/trpc/${path}${query}`, { headers });
}

describe('server through the typed client', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ MCP_RETRY_ATTEMPTS: '1' }, failingExchanges);
  });
  afterAll(() => t.close());

  it('system.health and system.defaults', async () => {
    const health = await t.client.system.health.query();
    expect(health).toMatchObject({ status: 'ok', version: expect.any(String) });
    expect(health.now).toBeGreaterThan(Date.UTC(2024, 0, 1));
    expect(await t.client.system.defaults.query()).toEqual({
      exchange: 'sim',
      symbols: ['BTC/USDT', 'ETH/USDT', 'SOL/USDT', 'XRP/USDT', 'DOGE/USDT'],
    });
  });

  it('exchanges.list has sim and every ccxt exchange', async () => {
    const list = await t.client.exchanges.list.query();
    expect(list[0]).toMatchObject({ id: 'sim', simulated: true, capabilities: { stream: true } });
    expect(list.length).toBe(ccxt.exchanges.length + 1);
  });

  it('exchanges.markets searches', async () => {
    const markets = await t.client.exchanges.markets.query({ exchange: 'sim', search: 'eth' });
    expect(markets.map((m) => m.symbol)).toContain('ETH/USDT');
    expect(markets[0]).toEqual({
      symbol: expect.any(String),
      base: expect.any(String),
      quote: expect.any(String),
      type: 'spot',
      active: true,
    });
  });

  it('market.ticker, batched with market.tickers in one HTTP request', async () => {
    const [one, many] = await Promise.all([
      t.client.market.ticker.query({ exchange: 'sim', symbol: 'BTC-USDT' }),
      t.client.market.tickers.query({ exchange: 'sim', symbols: ['ETH/USDT', 'sol_usdt'] }),
    ]);
    expect(one).toMatchObject({ exchange: 'sim', symbol: 'BTC/USDT', source: 'simulated' });
    expect(one.last).toBeGreaterThan(10_000);
    expect(one.bid!).toBeLessThan(one.ask!);
    expect(many.map((x) => x.symbol)).toEqual(['ETH/USDT', 'SOL/USDT']);
    const batched = t.logLines.filter((l) => typeof l.procedure === 'string' && l.procedure.includes(','));
    expect(batched.length).toBeGreaterThan(0);
  });

  it('market.ohlcv, orderBook and trades', async () => {
    const ohlcv = await t.client.market.ohlcv.query({
      exchange: 'sim',
      symbol: 'BTC/USDT',
      timeframe: '1h',
      limit: 24,
    });
    expect(ohlcv).toMatchObject({ exchange: 'sim', symbol: 'BTC/USDT', timeframe: '1h' });
    expect(ohlcv.candles).toHaveLength(24);
    const book = await t.client.market.orderBook.query({ exchange: 'sim', symbol: 'ETH/USDT', depth: 5 });
    expect(book.bids).toHaveLength(5);
    expect(book.asks).toHaveLength(5);
    const trades = await t.client.market.trades.query({ exchange: 'sim', symbol: 'ETH/USDT', limit: 3 });
    expect(trades).toHaveLength(3);
  });

  it('system.stats counts cache use and upstream calls', async () => {
    await t.client.market.ticker.query({ exchange: 'sim', symbol: 'XRP/USDT' });
    await t.client.market.ticker.query({ exchange: 'sim', symbol: 'XRP/USDT' });
    const stats = await t.client.system.stats.query();
    expect(stats.cache.hits).toBeGreaterThan(0);
    expect(stats.cache.misses).toBeGreaterThan(0);
    expect(stats.upstream.calls.sim).toBeGreaterThan(0);
    expect(stats.feeds).toMatchObject({ active: expect.any(Number), subscribers: expect.any(Number) });
  });

  describe('every error reason', () => {
    it('INVALID_INPUT names the field', async () => {
      const e = await reasonOf(
        t.client.market.orderBook.query({ exchange: 'sim', symbol: 'BTC/USDT', depth: 0 }),
      );
      expect(e).toMatchObject({ reason: 'INVALID_INPUT', retryable: false, httpStatus: 400 });
      expect(e!.message).toMatch(/depth/);
      const res = await get(t.url, 'market.tickers', { exchange: 'sim', symbols: [] });
      expect(res.status).toBe(400);
      expect(JSON.stringify(await res.json())).toMatch(/symbols/);
    });

    it.each(['__proto__', 'constructor', 'toString', 'nosuchexchange'])(
      'UNKNOWN_EXCHANGE for %s',
      async (exchange) => {
        const e = await reasonOf(t.client.market.ticker.query({ exchange, symbol: 'BTC/USDT' }));
        expect(e).toMatchObject({ reason: 'UNKNOWN_EXCHANGE', httpStatus: 404 });
      },
    );

    it('UNKNOWN_SYMBOL', async () => {
      const e = await reasonOf(t.client.market.ticker.query({ exchange: 'sim', symbol: 'NOPE/USDT' }));
      expect(e).toMatchObject({ reason: 'UNKNOWN_SYMBOL', httpStatus: 404 });
      expect(e!.message).toMatch(/NOPE\/USDT/);
    });

    it('NOT_SUPPORTED for a timeframe the exchange lacks and a method it lacks', async () => {
      const e = await reasonOf(
        t.client.market.ohlcv.query({ exchange: 'sim', symbol: 'BTC/USDT', timeframe: '7m' }),
      );
      expect(e).toMatchObject({ reason: 'NOT_SUPPORTED', httpStatus: 400 });
      const g = await reasonOf(t.client.market.ticker.query({ exchange: 'gate', symbol: 'BTC/USDT' }));
      expect(g).toMatchObject({ reason: 'NOT_SUPPORTED', httpStatus: 400 });
    });

    it.each([
      ['kraken', 'UPSTREAM_RATE_LIMITED', 503, true],
      ['okx', 'UPSTREAM_UNAVAILABLE', 503, true],
      ['bybit', 'UPSTREAM_TIMEOUT', 504, true],
      ['coinbaseexchange', 'UPSTREAM_ERROR', 502, false],
      ['bitget', 'INTERNAL', 500, false],
    ])('%s failing upstream → %s (%i)', async (exchange, reason, status, retryable) => {
      const e = await reasonOf(t.client.market.ticker.query({ exchange, symbol: 'BTC/USDT' }));
      expect(e).toMatchObject({ reason, httpStatus: status, retryable });
      expect(e!.message).not.toMatch(/secret|https?:|Cannot read/);
      expect(JSON.stringify(e)).not.toMatch(/stack|at .*\.ts/);
    });

    it('INTERNAL is logged with the request id the client sees', async () => {
      const res = await get(
        t.url,
        'market.ticker',
        { exchange: 'bitget', symbol: 'BTC/USDT' },
        { 'x-request-id': 'req-internal-1' },
      );
      expect(res.status).toBe(500);
      const body = (await res.json()) as { error: { message: string } };
      expect(body.error.message).toBe('Internal error (request id req-internal-1)');
      expect(t.logLines.some((l) => l.msg === 'internal error' && l.reqId === 'req-internal-1')).toBe(true);
    });

    it('UPSTREAM_RATE_LIMITED carries Retry-After', async () => {
      const res = await get(t.url, 'market.ticker', { exchange: 'kraken', symbol: 'BTC/USDT' });
      expect(res.status).toBe(503);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    });
  });

  it('logs one line per request with id, procedure, duration and outcome', async () => {
    const before = t.logLines.length;
    await get(
      t.url,
      'market.ticker',
      { exchange: 'sim', symbol: 'NOPE/USDT' },
      { 'x-request-id': 'log-check-1' },
    );
    const lines = t.logLines.slice(before).filter((l) => l.msg === 'request');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      reqId: 'log-check-1',
      procedure: 'market.ticker',
      status: 404,
      outcome: 'UNKNOWN_SYMBOL',
      durationMs: expect.any(Number),
    });
  });

  it('answers /healthz and /readyz', async () => {
    expect(await (await fetch(`${t.url}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${t.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ok' });
  });
});

describe('per-client rate limit', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ MCP_RATE_LIMIT_REQUESTS: '3', MCP_RATE_LIMIT_PERIOD: '60' });
  });
  afterAll(() => t.close());

  it('answers RATE_LIMITED with retryAfterMs and HTTP 429 + Retry-After past the budget', async () => {
    for (let i = 0; i < 3; i++) await t.client.market.ticker.query({ exchange: 'sim', symbol: 'BTC/USDT' });
    const e = await reasonOf(t.client.market.ticker.query({ exchange: 'sim', symbol: 'BTC/USDT' }));
    expect(e).toMatchObject({ reason: 'RATE_LIMITED', httpStatus: 429, retryable: true });
    expect(e!.retryAfterMs).toBeGreaterThan(0);
    expect(e!.retryAfterMs).toBeLessThanOrEqual(60_000);
    const res = await get(t.url, 'market.ticker', { exchange: 'sim', symbol: 'BTC/USDT' });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    // health stays reachable for probes, and stats count the rejections
    const stats = await t.client.system.stats.query();
    expect(stats.rateLimited).toBeGreaterThanOrEqual(2);
  });

  it('ignores X-Forwarded-For unless MCP_TRUST_PROXY is on', async () => {
    const res = await get(
      t.url,
      'market.ticker',
      { exchange: 'sim', symbol: 'BTC/USDT' },
      { 'x-forwarded-for': '203.0.113.9' },
    );
    expect(res.status).toBe(429);
  });
});

describe('behind a trusted proxy', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ MCP_RATE_LIMIT_REQUESTS: '1', MCP_TRUST_PROXY: 'true' });
  });
  afterAll(() => t.close());

  it('keys the budget by X-Forwarded-For', async () => {
    const input = { exchange: 'sim', symbol: 'BTC/USDT' };
    expect((await get(t.url, 'market.ticker', input, { 'x-forwarded-for': '203.0.113.1' })).status).toBe(200);
    expect((await get(t.url, 'market.ticker', input, { 'x-forwarded-for': '203.0.113.1' })).status).toBe(429);
    expect((await get(t.url, 'market.ticker', input, { 'x-forwarded-for': '203.0.113.2' })).status).toBe(200);
  });
});
