import ccxt from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REASON_STATUS } from '@marketgate/market-core';
import type { ErrorReason } from '@marketgate/market-core';
import { failingExchanges, startTestServer } from './helpers/server.js';
import type { TestServer } from './helpers/server.js';

/** Exchange ids whose injected source fails every data call with this ccxt (or plain) error. */
interface ErrorBody {
  message: string;
  code: string;
  reason: string;
  retryable: boolean;
  retryAfterMs?: number;
}

async function getJson<T = unknown>(url: string): Promise<{ status: number; headers: Headers; body: T }> {
  const res = await fetch(url);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  return { status: res.status, headers: res.headers, body: (await res.json()) as T };
}

describe('REST API', () => {
  let t: TestServer;
  let api: string;
  beforeAll(async () => {
    t = await startTestServer({ MCP_RETRY_ATTEMPTS: '0' }, failingExchanges);
    api = `${t.url}/api`;
  });
  afterAll(() => t.close());

  it('GET /api/health', async () => {
    const { status, body } = await getJson<{ status: string; version: string }>(`${api}/health`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: 'ok', version: expect.any(String) });
  });

  it('GET /api/exchanges lists sim and the ccxt exchanges', async () => {
    const { status, body } = await getJson<{ id: string; simulated: boolean }[]>(`${api}/exchanges`);
    expect(status).toBe(200);
    expect(body.length).toBe(ccxt.exchanges.length + 1);
    expect(body.find((e) => e.id === 'sim')).toMatchObject({ simulated: true });
  });

  it('GET /api/exchanges/{exchange}/markets with search and limit from the query string', async () => {
    const { status, body } = await getJson<{ symbol: string; base: string }[]>(
      `${api}/exchanges/sim/markets?search=btc&limit=2`,
    );
    expect(status).toBe(200);
    expect(body).toHaveLength(2);
    for (const m of body) expect(m.symbol).toContain('BTC');
  });

  it('GET /api/ticker/{exchange}/{symbol} takes BTC-USDT and BTC%2FUSDT alike', async () => {
    const dash = await getJson<{ symbol: string; source: string }>(`${api}/ticker/sim/BTC-USDT`);
    const slash = await getJson<{ symbol: string; cached: boolean }>(`${api}/ticker/sim/BTC%2FUSDT`);
    expect(dash.status).toBe(200);
    expect(slash.status).toBe(200);
    expect(dash.body).toMatchObject({ symbol: 'BTC/USDT', source: 'simulated' });
    expect(slash.body.symbol).toBe('BTC/USDT');
  });

  it('GET /api/tickers/{exchange}?symbols=A,B (and repeated keys)', async () => {
    const comma = await getJson<{ symbol: string }[]>(`${api}/tickers/sim?symbols=BTC-USDT,ETH%2FUSDT`);
    expect(comma.status).toBe(200);
    expect(comma.body.map((x) => x.symbol).sort()).toEqual(['BTC/USDT', 'ETH/USDT']);
    const repeated = await getJson<{ symbol: string }[]>(
      `${api}/tickers/sim?symbols=SOL-USDT&symbols=XRP-USDT`,
    );
    expect(repeated.body.map((x) => x.symbol).sort()).toEqual(['SOL/USDT', 'XRP/USDT']);
  });

  it('GET /api/ohlcv/{exchange}/{symbol}?timeframe&since&until&limit', async () => {
    const hour = 3_600_000;
    const since = Date.UTC(2025, 0, 1);
    const { status, body } = await getJson<{ timeframe: string; candles: number[][] }>(
      `${api}/ohlcv/sim/BTC-USDT?timeframe=1h&since=${since}&until=${since + 4 * hour}&limit=3`,
    );
    expect(status).toBe(200);
    expect(body.timeframe).toBe('1h');
    expect(body.candles.map((c) => c[0])).toEqual([since, since + hour, since + 2 * hour]);
    const defaults = await getJson<{ timeframe: string; candles: unknown[] }>(`${api}/ohlcv/sim/ETH-USDT`);
    expect(defaults.body.timeframe).toBe('1m');
    expect(defaults.body.candles).toHaveLength(500);
  });

  it('GET /api/orderbook/{exchange}/{symbol}?depth', async () => {
    const { status, body } = await getJson<{ bids: unknown[]; asks: unknown[] }>(
      `${api}/orderbook/sim/BTC-USDT?depth=5`,
    );
    expect(status).toBe(200);
    expect(body.bids).toHaveLength(5);
    expect(body.asks).toHaveLength(5);
  });

  it('GET /api/trades/{exchange}/{symbol}?limit', async () => {
    const { status, body } = await getJson<{ price: number }[]>(`${api}/trades/sim/BTC-USDT?limit=7`);
    expect(status).toBe(200);
    expect(body).toHaveLength(7);
  });

  describe('errors: the contract status and { message, code, reason }', () => {
    const cases: [reason: ErrorReason, path: string][] = [
      ['INVALID_INPUT', '/orderbook/sim/BTC-USDT?depth=9999'],
      ['UNKNOWN_EXCHANGE', '/ticker/nosuchexchange/BTC-USDT'],
      ['UNKNOWN_SYMBOL', '/ticker/sim/NOPE-USDT'],
      ['NOT_SUPPORTED', '/ohlcv/sim/BTC-USDT?timeframe=7m'],
      ['UPSTREAM_RATE_LIMITED', '/ticker/kraken/BTC-USDT'],
      ['UPSTREAM_UNAVAILABLE', '/ticker/okx/BTC-USDT'],
      ['UPSTREAM_TIMEOUT', '/ticker/bybit/BTC-USDT'],
      ['UPSTREAM_ERROR', '/ticker/coinbaseexchange/BTC-USDT'],
      ['INTERNAL', '/ticker/bitget/BTC-USDT'],
    ];
    it.each(cases)('%s', async (reason, path) => {
      const { status, headers, body } = await getJson<ErrorBody>(`${api}${path}`);
      expect(status).toBe(REASON_STATUS[reason].http);
      expect(body).toMatchObject({ reason, code: REASON_STATUS[reason].code, message: expect.any(String) });
      expect(JSON.stringify(body)).not.toMatch(/apiKey|secret|stack|at .*\.ts/);
      if (status === 503) expect(Number(headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      else expect(headers.get('retry-after')).toBeNull();
    });

    it('names the invalid field, for a non-number too', async () => {
      const { status, body } = await getJson<ErrorBody>(`${api}/trades/sim/BTC-USDT?limit=lots`);
      expect(status).toBe(400);
      expect(body.reason).toBe('INVALID_INPUT');
      expect(body.message).toContain('limit');
    });

    it('an unknown path under /api is a JSON 404', async () => {
      const { status, body } = await getJson<ErrorBody>(`${api}/nothing/here`);
      expect(status).toBe(404);
      expect(body).toMatchObject({ code: 'NOT_FOUND', reason: 'INVALID_INPUT' });
    });

    it('INTERNAL keeps the cause out of the body and logs it with the request id', async () => {
      const res = await fetch(`${api}/ticker/bitget/ETH-USDT`, {
        headers: { 'x-request-id': 'rest-internal-1' },
      });
      const body = (await res.json()) as ErrorBody;
      expect(body.message).toContain('rest-internal-1');
      expect(body.message).not.toContain('Cannot read');
      expect(t.logLines.some((l) => l.msg === 'internal error' && l.reqId === 'rest-internal-1')).toBe(true);
    });
  });
});

describe('REST rate limit: the budget tRPC uses, 429 with Retry-After', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ MCP_RATE_LIMIT_REQUESTS: '3', MCP_RATE_LIMIT_PERIOD: '60' });
  });
  afterAll(() => t.close());

  it('REST and tRPC calls spend one budget; health stays open', async () => {
    expect((await fetch(`${t.url}/api/ticker/sim/BTC-USDT`)).status).toBe(200);
    await t.client.market.ticker.query({ exchange: 'sim', symbol: 'BTC/USDT' });
    expect((await fetch(`${t.url}/api/trades/sim/BTC-USDT`)).status).toBe(200);
    const { status, headers, body } = await getJson<ErrorBody>(`${t.url}/api/ticker/sim/BTC-USDT`);
    expect(status).toBe(429);
    expect(body).toMatchObject({ reason: 'RATE_LIMITED', code: 'TOO_MANY_REQUESTS', retryable: true });
    expect(body.retryAfterMs).toBeGreaterThan(0);
    expect(Number(headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await fetch(`${t.url}/api/health`)).status).toBe(200);
    const stats = await t.client.system.stats.query();
    expect(stats.rateLimited).toBe(1);
  });
});
