import ccxt from 'ccxt';
import type { Exchange } from 'ccxt';
import type { Capabilities } from '../schemas.js';
import type { ExchangeSource, UpstreamMarket, UpstreamTicker, UpstreamTrade } from './source.js';
import { rewriteApiUrls } from './upstream-proxy.js';

export interface CcxtSourceOptions {
  timeoutMs: number;
  /** MCP_UPSTREAM_PROXY_URL */
  proxyUrl?: string | undefined;
  /**
   * Already-parsed ccxt markets (`{ [symbol]: market }`) to preset with `setMarkets`: `loadMarkets()`
   * then answers from them without an HTTP request (replay tests, offline use).
   */
  markets?: Record<string, unknown> | undefined;
  /**
   * Called before every HTTP request with ccxt's per-endpoint cost and the exchange's `rateLimit`
   * (ms per cost unit), ahead of ccxt's own throttle: the shared upstream budget (UpstreamBudget).
   */
  throttle?: ((cost: number, rateLimitMs: number) => Promise<void>) | undefined;
}

/** Where ccxt states no per-request candle maximum, this many is accepted by nearly every exchange. */
const DEFAULT_OHLCV_PAGE = 500;
/** Real exchanges are not polled faster than this (DESIGN.md: MCP_POLL_INTERVAL_MS minimum). */
const REAL_MIN_POLL_MS = 1_000;
/** Binance futures (/fapi, /dapi) reject other depth limits (-1100); spot takes any 1..5000. */
const BINANCE_CONTRACT_BOOK_LIMITS = [5, 10, 20, 50, 100, 500, 1000];

/**
 * The order-book size to ask upstream for `depth` levels: the next size the exchange accepts where it
 * only takes some (the service trims the answer to `depth`).
 */
function bookLimitFor(exchange: Exchange, symbol: string, depth: number): number {
  if (exchange.id === 'binance' || exchange.id === 'binanceusdm' || exchange.id === 'binancecoinm') {
    if (exchange.market(symbol).contract) {
      return BINANCE_CONTRACT_BOOK_LIMITS.find((n) => n >= depth) ?? depth;
    }
  }
  return depth;
}

type ExchangeClass = new (config: Record<string, unknown>) => Exchange;

function exchangeClass(id: string): ExchangeClass {
  // ccxt.pro's classes extend the REST ones, so one instance serves REST and streams.
  const pro = ccxt.pro as unknown as Record<string, ExchangeClass | undefined>;
  const rest = ccxt as unknown as Record<string, ExchangeClass | undefined>;
  const cls =
    (Object.hasOwn(pro, id) ? pro[id] : undefined) ?? (Object.hasOwn(rest, id) ? rest[id] : undefined);
  if (!cls) throw new Error(`ccxt has no exchange class ${id}`);
  return cls;
}

export function createCcxtExchange(id: string, options: CcxtSourceOptions): Exchange {
  const exchange = new (exchangeClass(id))({ enableRateLimit: true, timeout: options.timeoutMs });
  if (options.proxyUrl) {
    exchange.urls = {
      ...exchange.urls,
      api: rewriteApiUrls(exchange.urls.api, options.proxyUrl) as typeof exchange.urls.api,
    };
  }
  guardStreamSends(exchange);
  if (options.markets) exchange.setMarkets(options.markets as Parameters<Exchange['setMarkets']>[0]);
  const shared = options.throttle;
  if (shared) {
    const local = exchange.throttle.bind(exchange) as (cost?: number) => Promise<unknown>;
    exchange.throttle = async (cost?: number) => {
      await shared(typeof cost === 'number' && cost > 0 ? cost : 1, exchange.rateLimit ?? 1_000);
      return local(cost);
    };
  }
  return exchange;
}

type StreamClient = { send(message: unknown): Promise<unknown> };

/**
 * ccxt.pro sends a subscription once its ws throttle allows, without handling the send's rejection
 * when the socket closed in between: an unhandled rejection. The watch call already fails on that
 * close, so the send error is observed and dropped here, on each stream client ccxt creates.
 */
function guardStreamSends(exchange: Exchange): void {
  const clientOf = (exchange.client as (url: string) => StreamClient).bind(exchange);
  const guarded = new WeakSet<StreamClient>();
  (exchange as unknown as { client: (url: string) => StreamClient }).client = (url: string) => {
    const client = clientOf(url);
    if (!guarded.has(client)) {
      guarded.add(client);
      const send = client.send.bind(client);
      client.send = (message: unknown) => {
        const sent = send(message);
        sent.catch(() => undefined);
        return sent;
      };
    }
    return client;
  };
}

function capabilitiesOf(has: Exchange['has']): Capabilities {
  return {
    ticker: Boolean(has.fetchTicker),
    tickers: Boolean(has.fetchTickers || has.fetchTicker),
    ohlcv: Boolean(has.fetchOHLCV),
    orderBook: Boolean(has.fetchOrderBook),
    trades: Boolean(has.fetchTrades),
    stream: Boolean(has.watchTicker || has.watchOrderBook || has.watchOHLCV),
  };
}

function ohlcvPageLimitOf(exchange: Exchange): number {
  const features = exchange.features as
    Record<string, { fetchOHLCV?: { limit?: number } } | undefined> | undefined;
  const limit = features?.spot?.fetchOHLCV?.limit ?? features?.swap?.fetchOHLCV?.limit;
  return typeof limit === 'number' && limit > 0 ? limit : DEFAULT_OHLCV_PAGE;
}

/** Static description of an exchange for `exchanges.list`, without keeping an instance around. */
export function describeCcxtExchange(id: string): {
  name: string;
  capabilities: Capabilities;
  timeframes: string[];
} {
  const exchange = new (exchangeClass(id))({});
  return {
    name: exchange.name ?? id,
    capabilities: capabilitiesOf(exchange.has),
    timeframes: Object.keys(exchange.timeframes ?? {}),
  };
}

/** A real exchange through one long-lived ccxt(.pro) instance. */
export function createCcxtSource(id: string, options: CcxtSourceOptions): ExchangeSource {
  const exchange = createCcxtExchange(id, options);
  const has = exchange.has;
  let proxyAgentLoaded: Promise<unknown> | undefined;
  // ccxt.pro refuses plain ws:// through a rewritten URL unless its proxy agent is loaded first
  const ready = async (): Promise<void> => {
    if (!options.proxyUrl) return;
    proxyAgentLoaded ??= (
      exchange as unknown as { loadHttpProxyAgent(): Promise<unknown> }
    ).loadHttpProxyAgent();
    await proxyAgentLoaded;
  };

  const watch: NonNullable<ExchangeSource['watch']> = {};
  if (has.watchTicker)
    watch.ticker = async (s) => (await ready(), exchange.watchTicker(s) as Promise<UpstreamTicker>);
  if (has.watchTickers)
    watch.tickers = async (s) => (
      await ready(),
      exchange.watchTickers(s) as Promise<Record<string, UpstreamTicker>>
    );
  if (has.watchOHLCV) watch.ohlcv = async (s, tf) => (await ready(), exchange.watchOHLCV(s, tf));
  if (has.watchOrderBook) watch.orderBook = async (s, n) => (await ready(), exchange.watchOrderBook(s, n));
  if (Object.keys(watch).length > 0) {
    const unwatchers = {
      ticker: 'unWatchTicker',
      ohlcv: 'unWatchOHLCV',
      orderBook: 'unWatchOrderBook',
    } as const;
    watch.unwatch = async (channel, symbol, timeframe) => {
      const name = unwatchers[channel];
      const fn = (exchange as unknown as Record<string, unknown>)[name];
      if (!has[name] || typeof fn !== 'function') return;
      const args: unknown[] = channel === 'ohlcv' ? [symbol, timeframe] : [symbol];
      await (fn as (...a: unknown[]) => Promise<unknown>).apply(exchange, args);
    };
    // ccxt.pro opens the socket again on the next watch* call
    watch.closeStreams = async () => {
      await exchange.close();
    };
  }

  return {
    id,
    name: exchange.name ?? id,
    simulated: false,
    capabilities: capabilitiesOf(has),
    nativeTickers: Boolean(has.fetchTickers),
    timeframes: Object.keys(exchange.timeframes ?? {}),
    ohlcvPageLimit: ohlcvPageLimitOf(exchange),
    minPollIntervalMs: REAL_MIN_POLL_MS,
    watch: Object.keys(watch).length > 0 ? watch : undefined,
    async loadMarkets(reload = false) {
      return (await exchange.loadMarkets(reload)) as unknown as Record<string, UpstreamMarket>;
    },
    fetchTicker: (symbol) => exchange.fetchTicker(symbol) as Promise<UpstreamTicker>,
    fetchTickers: (symbols) => exchange.fetchTickers(symbols) as Promise<Record<string, UpstreamTicker>>,
    fetchOHLCV: (symbol, timeframe, since, limit) => exchange.fetchOHLCV(symbol, timeframe, since, limit),
    fetchOrderBook: (symbol, limit) => exchange.fetchOrderBook(symbol, bookLimitFor(exchange, symbol, limit)),
    fetchTrades: (symbol, limit) =>
      exchange.fetchTrades(symbol, undefined, limit) as Promise<UpstreamTrade[]>,
    async close() {
      await exchange.close();
    },
  };
}
