import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { candleStart, createCcxtSource, nextCandleStart } from '@marketgate/market-core';
import type { Candle, ExchangeSource } from '@marketgate/market-core';
import { createMarketClient, marketErrorOf } from '@marketgate/client';
import type { MarketClient } from '@marketgate/client';
import { createServer } from '../src/app.js';
import type { MarketServer } from '../src/app.js';
import { configFrom } from '../src/config.js';
import {
  FIXTURES_DIR,
  REPLAY_EXCHANGES,
  available,
  entriesOf,
  fixturesOf,
  marketOf,
  tickerFields,
} from './replay/fixtures.js';
import type { FixtureEntry, ReplayExchange } from './replay/fixtures.js';
import { startReplayServer } from './replay/replay-server.js';
import type { ReplayRequest, ReplayServer } from './replay/replay-server.js';

/**
 * Real ccxt code paths, offline: the real Marketgate server with real ccxt instances whose API URLs
 * point (MCP_UPSTREAM_PROXY_URL) at a local replay of ccxt's recorded exchange responses. Each
 * recorded fetchTicker / fetchOHLCV / fetchOrderBook / fetchTrades entry is called through the typed
 * client, and the answer must be ccxt's recorded `parsedResponse` in our shapes.
 */

if (!available) {
  console.warn(
    `[replay] ${FIXTURES_DIR} not found: skipping the replay of real exchanges ` +
      '(the ccxt-static fixtures live outside the repo; CI always has them).',
  );
}

type Method = 'fetchTicker' | 'fetchOHLCV' | 'fetchOrderBook' | 'fetchTrades';
const METHODS: readonly Method[] = ['fetchTicker', 'fetchOHLCV', 'fetchOrderBook', 'fetchTrades'];
/** Positional arguments our API can express: symbol, and timeframe/since/limit or limit. */
const ARITY: Record<Method, number> = { fetchTicker: 1, fetchOHLCV: 4, fetchOrderBook: 2, fetchTrades: 3 };

interface ReplayCase {
  name: string;
  exchange: ReplayExchange;
  method: Method;
  symbol: string;
  entry: FixtureEntry;
}

/** Recorded entries our API cannot ask for, with the reason. */
const EXCLUDED: Record<string, string> = {
  'binance fetchOHLCV BTC/USD:BTC':
    'index-price candles ({ price: "index" }): our API has no price-type parameter',
};

/** Where ccxt must have sent each call (host as first segment), as observed in the fixtures README. */
const EXPECTED_PATH: Record<string, string> = {
  'binance fetchTicker BTC/USDT': '/api.binance.com/api/v3/ticker/24hr',
  'binance fetchOHLCV BTC/USDT': '/api.binance.com/api/v3/klines',
  'binance fetchOHLCV BTC/USDT:USDT': '/fapi.binance.com/fapi/v1/klines',
  'binance fetchOrderBook BTC/USDT': '/api.binance.com/api/v3/depth',
  'binance fetchOrderBook BTC/USDT:USDT': '/fapi.binance.com/fapi/v1/depth',
  'binance fetchTrades BTC/USDT': '/api.binance.com/api/v3/aggTrades',
  'okx fetchTicker BTC/USDT': '/www.okx.com/api/v5/market/ticker',
  'okx fetchOHLCV BTC/USDT': '/www.okx.com/api/v5/market/history-candles',
  'okx fetchOrderBook BTC/USDT': '/www.okx.com/api/v5/market/books',
  'okx fetchOrderBook BTC/USDT:USDT': '/www.okx.com/api/v5/market/books',
  'okx fetchTrades BTC/USDT': '/www.okx.com/api/v5/market/trades',
  'kraken fetchTicker BTC/USDT': '/api.kraken.com/0/public/Ticker',
  'kraken fetchOHLCV BTC/USDT': '/api.kraken.com/0/public/OHLC',
  'kraken fetchTrades BTC/USDT': '/api.kraken.com/0/public/Trades',
  'bybit fetchTicker BTC/USDT:USDT': '/api.bybit.com/v5/market/tickers',
  'bybit fetchOHLCV BTC/USDT:USDT': '/api.bybit.com/v5/market/kline',
  'bybit fetchOrderBook BTC/USDT': '/api.bybit.com/v5/market/orderbook',
  'bybit fetchOrderBook BTC/USDT:USDT': '/api.bybit.com/v5/market/orderbook',
  'bybit fetchTrades BTC/USDT:USDT': '/api.bybit.com/v5/market/recent-trade',
  'coinbaseexchange fetchTicker BTC/USDT': '/api.exchange.coinbase.com/products/BTC-USDT/ticker',
  'coinbaseexchange fetchOHLCV BTC/USDT': '/api.exchange.coinbase.com/products/BTC-USDT/candles',
  'coinbaseexchange fetchTrades BTC/USDT': '/api.exchange.coinbase.com/products/BTC-USDT/trades',
};

function buildCases(): { cases: ReplayCase[]; excluded: string[] } {
  const cases: ReplayCase[] = [];
  const excluded: string[] = [];
  for (const exchange of REPLAY_EXCHANGES) {
    for (const method of METHODS) {
      for (const entry of entriesOf(exchange, method)) {
        const symbol = String(entry.input[0]);
        const name = `${exchange} ${method} ${symbol}`;
        const extra = entry.input.slice(ARITY[method]).some((arg) => arg !== null);
        if (extra || name in EXCLUDED) {
          excluded.push(name);
          continue;
        }
        cases.push({ name, exchange, method, symbol, entry });
      }
    }
  }
  return { cases, excluded };
}

const { cases, excluded } = available ? buildCases() : { cases: [], excluded: [] };

// ---- expected values: ccxt's parsedResponse in our shapes ----------------------------------------

type Parsed = Record<string, unknown>;
const num = (value: unknown): number | null => (typeof value === 'number' ? value : null);

function expectedCandles(parsed: unknown): Candle[] {
  return (parsed as number[][]).map((c) => [c[0]!, c[1]!, c[2]!, c[3]!, c[4]!, c[5] ?? 0]);
}

function expectedLevels(levels: unknown): [number, number][] {
  return (levels as number[][]).map((l) => [l[0]!, l[1]!]);
}

function expectedTrades(parsed: unknown) {
  return (parsed as Parsed[]).map((t) => ({
    id: typeof t.id === 'string' || typeof t.id === 'number' ? String(t.id) : null,
    timestamp: num(t.timestamp),
    side: t.side === 'buy' || t.side === 'sell' ? t.side : null,
    price: t.price as number,
    amount: num(t.amount),
    cost: num(t.cost),
  }));
}

/** The first candle boundary at or after `t`: the first candle a ccxt-style `since` asks for. */
function alignUp(t: number, timeframe: string): number {
  const start = candleStart(t, timeframe);
  return start === t ? t : nextCandleStart(start, timeframe);
}

// ---- harness ----------------------------------------------------------------------------------------

/** Real ccxt sources whose markets come from markets.json: the fixtures cannot replay loadMarkets. */
function replaySources(proxyUrl: string | undefined, timeoutMs: number) {
  return (id: string): ExchangeSource | undefined =>
    (REPLAY_EXCHANGES as readonly string[]).includes(id)
      ? createCcxtSource(id, { timeoutMs, proxyUrl, markets: fixturesOf(id as ReplayExchange).markets })
      : undefined;
}

interface Harness {
  replay: ReplayServer | undefined;
  server: MarketServer;
  client: MarketClient;
}

async function startHarness(
  upstream: string,
  replay: ReplayServer | undefined,
  env: Record<string, string> = {},
) {
  const config = configFrom({
    MCP_PORT: '0',
    MCP_UPSTREAM_PROXY_URL: upstream,
    MCP_LOG_LEVEL: 'silent',
    MCP_RATE_LIMIT_REQUESTS: '100000',
    ...env,
  });
  const server = createServer({
    config,
    service: { createSource: replaySources(config.upstreamProxyUrl, config.requestTimeoutMs) },
  });
  const url = await server.listen();
  return { replay, server, client: createMarketClient({ url }) } satisfies Harness;
}

/** Runs `call` and returns what the replay server received meanwhile. */
async function received<T>(
  replay: ReplayServer,
  call: () => Promise<T>,
): Promise<{ result: T; requests: ReplayRequest[] }> {
  const before = replay.requests.length;
  const result = await call();
  return { result, requests: replay.requests.slice(before) };
}

function pathOf(request: ReplayRequest): string {
  return `/${request.host}${request.path}`;
}

async function failure(call: () => Promise<unknown>) {
  try {
    await call();
  } catch (error) {
    const data = marketErrorOf(error);
    if (!data) throw error;
    return data;
  }
  throw new Error('expected the call to fail');
}

async function closedPortUrl(): Promise<string> {
  const probe = createHttpServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve, reject) => probe.close((e) => (e ? reject(e) : resolve())));
  return `http://127.0.0.1:${port}`;
}

// ---- the suite -------------------------------------------------------------------------------------

describe.skipIf(!available)('replay of real exchanges', () => {
  let h: Harness & { replay: ReplayServer };

  beforeAll(async () => {
    const replay = await startReplayServer();
    h = { ...(await startHarness(replay.url, replay)), replay };
  });

  afterAll(async () => {
    await h?.server.close();
    await h?.replay.close();
  });

  it('covers every recorded ticker, ohlcv, order book and trades entry it can express', () => {
    const covered = new Set(cases.map((c) => `${c.exchange} ${c.method}`));
    for (const exchange of REPLAY_EXCHANGES) {
      for (const method of ['fetchTicker', 'fetchOHLCV', 'fetchTrades'] as const) {
        expect(covered, `${exchange} ${method}`).toContain(`${exchange} ${method}`);
      }
    }
    for (const exchange of ['binance', 'okx', 'bybit'] as const) {
      expect(covered).toContain(`${exchange} fetchOrderBook`);
    }
    expect(excluded.sort()).toEqual(Object.keys(EXCLUDED).sort());
    for (const c of cases) expect(EXPECTED_PATH, c.name).toHaveProperty([c.name]);
  });

  it('answers markets from markets.json: ccxt loadMarkets makes no HTTP request', async () => {
    for (const exchange of REPLAY_EXCHANGES) {
      const { result, requests } = await received(h.replay, () =>
        h.client.exchanges.markets.query({ exchange }),
      );
      expect(result.map((m) => m.symbol).sort()).toEqual(Object.keys(fixturesOf(exchange).markets).sort());
      expect(requests).toEqual([]);
    }
  });

  /** The call reached the replay on the expected path, and only recorded entries answered it. */
  function expectReplayed(c: ReplayCase, requests: ReplayRequest[]) {
    expect(requests.length, 'requests the replay server received').toBeGreaterThan(0);
    for (const request of requests) {
      expect(pathOf(request)).toBe(EXPECTED_PATH[c.name]);
      expect(request.served).toEqual({
        exchange: c.exchange,
        method: c.method,
        description: c.entry.description,
      });
    }
  }

  const byMethod = (method: Method) => cases.filter((c) => c.method === method);

  it.each(byMethod('fetchTicker'))('$name: market.ticker is the recorded ticker', async (c) => {
    const { result, requests } = await received(h.replay, () =>
      h.client.market.ticker.query({ exchange: c.exchange, symbol: c.symbol }),
    );
    expectReplayed(c, requests);
    expect(requests).toHaveLength(1);
    expect(result).toMatchObject({
      exchange: c.exchange,
      symbol: c.symbol,
      source: 'exchange',
      cached: false,
    });
    expect(tickerFields(result)).toEqual(tickerFields(c.entry.parsedResponse as Parsed));
  });

  it.each(byMethod('fetchOrderBook'))('$name: market.orderBook is the recorded book', async (c) => {
    const parsed = c.entry.parsedResponse as Parsed;
    const bids = expectedLevels(parsed.bids);
    const asks = expectedLevels(parsed.asks);
    const depth = (c.entry.input[1] as number | null) ?? Math.max(bids.length, asks.length);
    const { result, requests } = await received(h.replay, () =>
      h.client.market.orderBook.query({ exchange: c.exchange, symbol: c.symbol, depth }),
    );
    expectReplayed(c, requests);
    expect(requests).toHaveLength(1);
    expect(result).toEqual({
      exchange: c.exchange,
      symbol: c.symbol,
      timestamp: num(parsed.timestamp),
      bids,
      asks,
    });
  });

  it('binance futures get a depth they accept (5, 10, 20, …), trimmed to the one asked for', async () => {
    const entry = entriesOf('binance', 'fetchOrderBook').find((e) => e.input[0] === 'BTC/USDT:USDT')!;
    const parsed = entry.parsedResponse as Parsed;
    const { result, requests } = await received(h.replay, () =>
      h.client.market.orderBook.query({ exchange: 'binance', symbol: 'BTC/USDT:USDT', depth: 2 }),
    );
    // /fapi/v1/depth answers -1100 to any limit outside [5, 10, 20, 50, 100, 500, 1000]
    expect(requests.map((r) => [pathOf(r), r.query.limit])).toEqual([
      ['/fapi.binance.com/fapi/v1/depth', '5'],
    ]);
    expect(result.bids).toEqual(expectedLevels(parsed.bids).slice(0, 2));
    expect(result.asks).toEqual(expectedLevels(parsed.asks).slice(0, 2));
  });

  it.each(byMethod('fetchTrades'))('$name: market.trades are the recorded trades', async (c) => {
    const limit = (c.entry.input[2] as number | null) ?? 50;
    const { result, requests } = await received(h.replay, () =>
      h.client.market.trades.query({ exchange: c.exchange, symbol: c.symbol, limit }),
    );
    expectReplayed(c, requests);
    expect(requests).toHaveLength(1);
    expect(result).toEqual(expectedTrades(c.entry.parsedResponse).slice(-limit));
  });

  it.each(byMethod('fetchOHLCV'))('$name: market.ohlcv is the recorded candles', async (c) => {
    const [, timeframe, since, limit] = c.entry.input as [string, string, number | null, number | null];
    const parsed = expectedCandles(c.entry.parsedResponse);
    const query = (input: { since?: number; until?: number }) =>
      received(h.replay, () =>
        h.client.market.ohlcv.query({
          exchange: c.exchange,
          symbol: c.symbol,
          timeframe,
          ...input,
          ...(limit === null ? {} : { limit }),
        }),
      );

    if (since === null) {
      // Recorded as "the latest candles"; that was years ago, so ask for the latest up to the last
      // recorded candle: the window is exactly the recorded one.
      const { result, requests } = await query({ until: parsed[parsed.length - 1]![0] });
      expectReplayed(c, requests);
      expect(result).toEqual({ exchange: c.exchange, symbol: c.symbol, timeframe, candles: parsed });
      return;
    }

    // `since` means candles opening at or after it (ccxt's meaning): the recorded `since` and the
    // same window started on the next candle boundary both give every recorded candle, exactly.
    const raw = await query({ since });
    expectReplayed(c, raw.requests);
    expect(raw.result.candles).toEqual(parsed);
    const aligned = await query({ since: alignUp(since, timeframe) });
    expect(aligned.result.candles).toEqual(parsed);
  });

  it('received nothing it had no recording for', () => {
    expect(h.replay.unmatched()).toEqual([]);
    // every case's market resolved to a fixture market
    for (const c of cases) expect(marketOf(c.exchange, c.entry), c.name).toBeDefined();
  });
});

describe.skipIf(!available)('replay: upstream failures through the client', () => {
  let h: Harness & { replay: ReplayServer };
  let down: Harness;

  beforeAll(async () => {
    const replay = await startReplayServer();
    // one retry, so a transient failure is seen twice upstream before it reaches the client
    h = { ...(await startHarness(replay.url, replay, { MCP_RETRY_ATTEMPTS: '1' })), replay };
    down = await startHarness(await closedPortUrl(), undefined, { MCP_RETRY_ATTEMPTS: '0' });
  });

  afterAll(async () => {
    await h?.server.close();
    await down?.server.close();
    await h?.replay.close();
  });

  it('an exchange answering 503 is UPSTREAM_UNAVAILABLE (503), retried once', async () => {
    h.replay.setOverride((r) =>
      r.path === '/api/v3/ticker/24hr' ? { status: 503, body: 'Service Unavailable' } : undefined,
    );
    const { result, requests } = await received(h.replay, () =>
      failure(() => h.client.market.ticker.query({ exchange: 'binance', symbol: 'BTC/USDT' })),
    );
    expect(result).toMatchObject({ reason: 'UPSTREAM_UNAVAILABLE', retryable: true, httpStatus: 503 });
    expect(result.message).not.toContain('127.0.0.1');
    expect(requests.map(pathOf)).toEqual([
      '/api.binance.com/api/v3/ticker/24hr',
      '/api.binance.com/api/v3/ticker/24hr',
    ]);
  });

  it('an unreachable upstream (closed port) is UPSTREAM_UNAVAILABLE (503)', async () => {
    const result = await failure(() =>
      down.client.market.ticker.query({ exchange: 'okx', symbol: 'BTC/USDT' }),
    );
    expect(result).toMatchObject({ reason: 'UPSTREAM_UNAVAILABLE', retryable: true, httpStatus: 503 });
    expect(result.message).not.toContain('127.0.0.1');
  });

  it("binance's 'Invalid symbol' (-1121, BadSymbol) is UNKNOWN_SYMBOL (404), not retried", async () => {
    h.replay.setOverride((r) =>
      r.path === '/api/v3/ticker/24hr'
        ? { status: 400, body: { code: -1121, msg: 'Invalid symbol.' } }
        : undefined,
    );
    const { result, requests } = await received(h.replay, () =>
      failure(() => h.client.market.ticker.query({ exchange: 'binance', symbol: 'ETH/USDT' })),
    );
    expect(result).toMatchObject({ reason: 'UNKNOWN_SYMBOL', retryable: false, httpStatus: 404 });
    expect(requests).toHaveLength(1);
    expect(requests[0]!.query).toMatchObject({ symbol: 'ETHUSDT' });
  });

  it('an exchange throttling us (429, -1003) is UPSTREAM_RATE_LIMITED (503) with retryAfterMs', async () => {
    h.replay.setOverride((r) =>
      r.path === '/api/v3/aggTrades'
        ? { status: 429, body: { code: -1003, msg: 'Too many requests; current limit is 6000.' } }
        : undefined,
    );
    const { result, requests } = await received(h.replay, () =>
      failure(() => h.client.market.trades.query({ exchange: 'binance', symbol: 'BTC/USDT', limit: 1 })),
    );
    expect(result).toMatchObject({ reason: 'UPSTREAM_RATE_LIMITED', retryable: true, httpStatus: 503 });
    expect(result.retryAfterMs).toBeGreaterThan(0);
    expect(requests.map(pathOf)).toEqual([
      '/api.binance.com/api/v3/aggTrades',
      '/api.binance.com/api/v3/aggTrades',
    ]);
  });

  it('after the outage the same call is answered from the recording', async () => {
    h.replay.setOverride(undefined);
    const ticker = await h.client.market.ticker.query({ exchange: 'binance', symbol: 'BTC/USDT' });
    const parsed = entriesOf('binance', 'fetchTicker')[0]!.parsedResponse as Parsed;
    expect(ticker.last).toBe(parsed.last);
  });
});
