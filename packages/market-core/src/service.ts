import { LruMarketCache } from './cache/lru-market-cache.js';
import type { MarketCache } from './cache/market-cache.js';
import { MarketError, toMarketError } from './errors.js';
import { createCcxtSource, describeCcxtExchange } from './exchanges/ccxt-source.js';
import { ExchangePool } from './exchanges/pool.js';
import { ExchangeRegistry, SIM_EXCHANGE_ID } from './exchanges/registry.js';
import { createSimExchange } from './exchanges/sim/index.js';
import type { ExchangeSource } from './exchanges/source.js';
import { toCandles, toLevels, toMarketSummary, toTicker, toTrade } from './normalise.js';
import { collectCandles } from './ohlcv-pager.js';
import { DEFAULT_RETRY_POLICY, withRetry } from './retry.js';
import type { RetryPolicy } from './retry.js';
import {
  marketsInputSchema,
  ohlcvInputSchema,
  orderBookInputSchema,
  tickerInputSchema,
  tickersInputSchema,
  tradesInputSchema,
} from './schemas.js';
import type {
  ExchangeInfo,
  MarketSummary,
  MarketsInput,
  Ohlcv,
  OhlcvInput,
  OrderBook,
  OrderBookInput,
  Ticker,
  TickerInput,
  TickersInput,
  Trade,
  TradesInput,
} from './schemas.js';
import { UpstreamCounters } from './stats.js';
import type { UpstreamObserver } from './stats.js';
import type { UpstreamBudget } from './upstream-budget.js';
import { normaliseSymbol } from './symbols.js';
import { parseInput } from './validate.js';

export interface MarketServiceOptions {
  /** MCP_EXCHANGES; undefined allows every ccxt exchange and sim */
  exchanges?: readonly string[] | undefined;
  /** MCP_TICKER_CACHE_TTL in ms: tickers, order books and trades */
  tickerTtlMs?: number;
  /** MCP_CACHE_MAX_ENTRIES, for the default in-process cache */
  cacheMaxEntries?: number;
  /** MCP_REQUEST_TIMEOUT_MS: per upstream request, and the budget for retrying it */
  requestTimeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** MCP_UPSTREAM_PROXY_URL */
  upstreamProxyUrl?: string | undefined;
  /** A shared cache (Redis) instead of the in-process one. */
  cache?: MarketCache;
  /** Build a source yourself (tests, injected markets); return undefined for the default. */
  createSource?: (id: string) => ExchangeSource | undefined;
  observer?: UpstreamObserver;
  /** A per-exchange upstream budget shared by instances (Redis); ccxt sources take from it before each request. */
  budget?: UpstreamBudget | undefined;
  now?: () => number;
}

const MARKETS_TTL_MS = 60 * 60_000;
/** Closed candles never change; the LRU bound, not the TTL, is what evicts them. */
const CLOSED_CANDLES_TTL_MS = 24 * 60 * 60_000;
/** fetchTicker fan-out where an exchange has no fetchTickers. */
const TICKER_CONCURRENCY = 5;

/**
 * The one entry point of the domain: every transport calls these methods. Inputs are validated
 * (so direct callers such as MCP tools get the same INVALID_INPUT errors), exchanges and symbols
 * resolved, answers cached, upstream calls retried and mapped to MarketError.
 */
export class MarketService {
  readonly registry: ExchangeRegistry;
  readonly pool: ExchangePool;
  readonly cache: MarketCache;
  readonly counters: UpstreamCounters;
  private readonly tickerTtlMs: number;
  private readonly timeoutMs: number;
  private readonly retry: RetryPolicy;
  private readonly now: () => number;
  private exchangeList: ExchangeInfo[] | undefined;

  constructor(private readonly options: MarketServiceOptions = {}) {
    this.now = options.now ?? Date.now;
    this.registry = new ExchangeRegistry(options.exchanges);
    this.cache = options.cache ?? new LruMarketCache({ maxEntries: options.cacheMaxEntries ?? 10_000 });
    this.counters = new UpstreamCounters(options.observer);
    this.tickerTtlMs = options.tickerTtlMs ?? 2_000;
    this.timeoutMs = options.requestTimeoutMs ?? 10_000;
    this.retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.pool = new ExchangePool({
      create: (id) => this.createSource(id),
      call: (exchange, method, fn) => this.upstream(exchange, method, fn),
      marketsTtlMs: MARKETS_TTL_MS,
      now: this.now,
    });
  }

  private createSource(id: string): ExchangeSource {
    const custom = this.options.createSource?.(id);
    if (custom) return custom;
    if (id === SIM_EXCHANGE_ID) return createSimExchange({ now: this.now });
    const budget = this.options.budget;
    return createCcxtSource(id, {
      timeoutMs: this.timeoutMs,
      proxyUrl: this.options.upstreamProxyUrl,
      throttle: budget && ((cost, rateLimitMs) => budget.take(id, cost, rateLimitMs)),
    });
  }

  /** One upstream request: counted, retried while transient and within the timeout, mapped to MarketError. */
  async upstream<T>(exchange: string, method: string, fn: () => Promise<T>): Promise<T> {
    const deadline = this.now() + this.timeoutMs;
    try {
      return await withRetry(() => this.counters.time(exchange, method, fn), this.retry, {
        shouldRetry: (error) => this.now() < deadline && toMarketError(error, exchange).retryable,
      });
    } catch (error) {
      throw toMarketError(error, exchange);
    }
  }

  listExchanges(): ExchangeInfo[] {
    this.exchangeList ??= this.registry.ids().map((id) => this.describe(id));
    return this.exchangeList;
  }

  private describe(id: string): ExchangeInfo {
    if (id === SIM_EXCHANGE_ID) {
      const source = this.pool.source(id);
      return {
        id,
        name: source.name,
        simulated: source.simulated,
        capabilities: source.capabilities,
        timeframes: [...source.timeframes],
      };
    }
    return { id, simulated: false, ...describeCcxtExchange(id) };
  }

  /** The exchange's source after checking the id against the registry. */
  private resolve(exchange: string): { id: string; source: ExchangeSource } {
    const id = this.registry.resolve(exchange);
    return { id, source: this.pool.source(id) };
  }

  private async resolveSymbol(id: string, raw: string): Promise<string> {
    return this.pool.resolveSymbol(id, normaliseSymbol(raw), raw);
  }

  private requireCapability(
    id: string,
    source: ExchangeSource,
    capability: keyof ExchangeSource['capabilities'],
  ) {
    if (!source.capabilities[capability]) {
      throw new MarketError('NOT_SUPPORTED', `${id} does not support ${capability}`, { exchange: id });
    }
  }

  async markets(input: MarketsInput): Promise<MarketSummary[]> {
    const { exchange, search, limit } = parseInput(marketsInputSchema, input);
    const { id } = this.resolve(exchange);
    const loaded = await this.pool.loadMarkets(id);
    const needle = search?.toLowerCase().replace(/[-_]/g, '/');
    const found = Object.values(loaded.bySymbol)
      .filter(
        (m) =>
          !needle ||
          m.symbol.toLowerCase().includes(needle) ||
          m.id.toLowerCase().includes(needle) ||
          m.base.toLowerCase() === needle ||
          m.quote.toLowerCase() === needle,
      )
      .map(toMarketSummary)
      .sort((a, b) => a.symbol.localeCompare(b.symbol));
    return limit === undefined ? found : found.slice(0, limit);
  }

  async ticker(input: TickerInput): Promise<Ticker> {
    const { exchange, symbol: raw } = parseInput(tickerInputSchema, input);
    const { id, source } = this.resolve(exchange);
    this.requireCapability(id, source, 'ticker');
    const symbol = await this.resolveSymbol(id, raw);
    const { value, hit } = await this.cache.fetch(`ticker:${id}:${symbol}`, this.tickerTtlMs, async () => {
      const raw = await this.upstream(id, 'fetchTicker', () => source.fetchTicker(symbol));
      return toTicker(id, symbol, raw, { fetchedAt: this.now(), simulated: source.simulated, cached: false });
    });
    return hit ? { ...value, cached: true } : value;
  }

  async tickers(input: TickersInput): Promise<Ticker[]> {
    const { exchange, symbols: raws } = parseInput(tickersInputSchema, input);
    const { id, source } = this.resolve(exchange);
    this.requireCapability(id, source, 'tickers');
    const symbols = [...new Set(await Promise.all(raws.map((raw) => this.resolveSymbol(id, raw))))];
    if (!source.nativeTickers) {
      return mapConcurrent(symbols, TICKER_CONCURRENCY, (symbol) => this.ticker({ exchange: id, symbol }));
    }
    const key = `tickers:${id}:${[...symbols].sort().join(',')}`;
    const { value, hit } = await this.cache.fetch(key, this.tickerTtlMs, async () => {
      const raw = await this.upstream(id, 'fetchTickers', () => source.fetchTickers(symbols));
      const fetchedAt = this.now();
      const list = symbols.flatMap((s) => {
        const t = raw[s];
        return t ? [toTicker(id, s, t, { fetchedAt, simulated: source.simulated, cached: false })] : [];
      });
      return { list };
    });
    return hit ? value.list.map((t) => ({ ...t, cached: true })) : value.list;
  }

  async ohlcv(input: OhlcvInput): Promise<Ohlcv> {
    const { exchange, symbol: raw, timeframe, since, until, limit } = parseInput(ohlcvInputSchema, input);
    const { id, source } = this.resolve(exchange);
    this.requireCapability(id, source, 'ohlcv');
    if (!source.timeframes.includes(timeframe)) {
      throw new MarketError(
        'NOT_SUPPORTED',
        `${id} has no timeframe ${timeframe}; it offers ${source.timeframes.join(', ') || 'none'}`,
        { exchange: id },
      );
    }
    if (since !== undefined && until !== undefined && since > until) {
      throw new MarketError('INVALID_INPUT', 'since must not be after until');
    }
    const symbol = await this.resolveSymbol(id, raw);
    const candles = await collectCandles({
      timeframe,
      since,
      until,
      limit,
      now: this.now(),
      pageLimit: source.ohlcvPageLimit,
      fetchPage: async (page) => {
        const load = async () => ({
          candles: toCandles(
            await this.upstream(id, 'fetchOHLCV', () =>
              source.fetchOHLCV(symbol, timeframe, page.since, page.limit),
            ),
          ),
        });
        // only fully closed pages are cached: the forming candle never is
        if (!page.closed) return (await load()).candles;
        const key = `ohlcv:${id}:${symbol}:${timeframe}:${page.since}:${page.limit}`;
        return (await this.cache.fetch(key, CLOSED_CANDLES_TTL_MS, load)).value.candles;
      },
    });
    return { exchange: id, symbol, timeframe, candles };
  }

  async orderBook(input: OrderBookInput): Promise<OrderBook> {
    const { exchange, symbol: raw, depth } = parseInput(orderBookInputSchema, input);
    const { id, source } = this.resolve(exchange);
    this.requireCapability(id, source, 'orderBook');
    const symbol = await this.resolveSymbol(id, raw);
    const { value } = await this.cache.fetch(`book:${id}:${symbol}:${depth}`, this.tickerTtlMs, async () => {
      const book = await this.upstream(id, 'fetchOrderBook', () => source.fetchOrderBook(symbol, depth));
      return {
        exchange: id,
        symbol,
        timestamp: book.timestamp ?? null,
        bids: toLevels(book.bids, depth),
        asks: toLevels(book.asks, depth),
      };
    });
    return value;
  }

  async trades(input: TradesInput): Promise<Trade[]> {
    const { exchange, symbol: raw, limit } = parseInput(tradesInputSchema, input);
    const { id, source } = this.resolve(exchange);
    this.requireCapability(id, source, 'trades');
    const symbol = await this.resolveSymbol(id, raw);
    const { value } = await this.cache.fetch(
      `trades:${id}:${symbol}:${limit}`,
      this.tickerTtlMs,
      async () => {
        const trades = await this.upstream(id, 'fetchTrades', () => source.fetchTrades(symbol, limit));
        return { list: trades.map(toTrade).slice(-limit) };
      },
    );
    return value.list;
  }

  async close(): Promise<void> {
    await this.pool.closeAll();
  }
}

async function mapConcurrent<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}
