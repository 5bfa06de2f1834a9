import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fixtures as loadedFixtures } from './fixtures.js';
import type { ExchangeFixtures, FixtureEntry, FixtureMarket, ReplayExchange } from './fixtures.js';

/**
 * A local stand-in for real exchanges. ccxt instances whose API URLs were rewritten with
 * MCP_UPSTREAM_PROXY_URL send `GET /<original-host>/<path>?<query>` here; the server answers with
 * the `httpResponse` ccxt recorded for that call. Routing is on host + path (query strings can carry
 * the clock, e.g. coinbase candle `start`/`end`); where one path serves several recorded entries
 * (spot and swap order books) a query or path parameter naming the market picks the entry. Every
 * request is logged so tests can prove that ccxt's real HTTP path ran; unknown routes answer 404 and
 * are logged as unmatched.
 */

export type ReplayMethod = 'fetchTicker' | 'fetchTickers' | 'fetchOHLCV' | 'fetchOrderBook' | 'fetchTrades';

export interface RouteRequest {
  query: URLSearchParams;
  /** Named groups of the route's path pattern, e.g. the product id of coinbase paths. */
  params: Record<string, string>;
}

export interface ReplayRoute {
  exchange: ReplayExchange;
  /** The exchange host ccxt would have called, e.g. `api.binance.com`. */
  host: string;
  /** Exact path, or a pattern anchored by the caller (named groups become `params`). */
  path: string | RegExp;
  method: ReplayMethod;
  /** True when the request is for this entry's market; default: every entry of the method. */
  select?: (request: RouteRequest, market: FixtureMarket) => boolean;
}

export interface ReplayRequest {
  httpMethod: string;
  /** The URL as received, e.g. `/api.binance.com/api/v3/depth?symbol=BTCUSDT&limit=2`. */
  url: string;
  host: string;
  path: string;
  query: Record<string, string>;
  status: number;
  /** The fixture entry that answered, when one did. */
  served?: { exchange: ReplayExchange; method: ReplayMethod; description: string };
  /** Why no fixture answered (unknown route, no or several matching entries). */
  unmatched?: string;
  /** Answered by a test's override instead of a fixture. */
  overridden?: boolean;
}

export interface ReplayResponse {
  status: number;
  /** Sent as JSON; a string is sent as text/plain. */
  body: unknown;
}

/** Lets a test answer some requests itself (errors, outages); return undefined to fall through. */
export type ReplayOverride = (request: ReplayRequest) => ReplayResponse | undefined;

export interface ReplayServer {
  /** Base URL for MCP_UPSTREAM_PROXY_URL, e.g. `http://127.0.0.1:40123`. */
  readonly url: string;
  /** Every request received so far, oldest first. */
  readonly requests: readonly ReplayRequest[];
  unmatched(): ReplayRequest[];
  /** Requests a fixture of `exchange` (and `method`) answered. */
  servedFor(exchange: ReplayExchange, method?: ReplayMethod): ReplayRequest[];
  setOverride(override: ReplayOverride | undefined): void;
  clearLog(): void;
  close(): Promise<void>;
}

const id = (market: FixtureMarket, value: string | null) => value === market.id;
/** binance: one host per market family, the market id in `symbol`. */
const binanceSpot = ({ query }: RouteRequest, m: FixtureMarket) =>
  m.spot === true && id(m, query.get('symbol'));
const binanceLinear = ({ query }: RouteRequest, m: FixtureMarket) =>
  m.swap === true && m.linear === true && id(m, query.get('symbol'));
/** okx: `instId` is the market id (BTC-USDT, BTC-USDT-SWAP). */
const okxInst = ({ query }: RouteRequest, m: FixtureMarket) => id(m, query.get('instId'));
/** kraken: `pair` is the market id (XBTUSDT). */
const krakenPair = ({ query }: RouteRequest, m: FixtureMarket) => id(m, query.get('pair'));
/** bybit: `category` is spot / linear / inverse, `symbol` the market id (BTCUSDT for both). */
const bybitCategory = ({ query }: RouteRequest, m: FixtureMarket) => {
  const category = m.spot === true ? 'spot' : m.linear === true ? 'linear' : 'inverse';
  return query.get('category') === category && id(m, query.get('symbol'));
};
/** coinbaseexchange: the product id is a path segment. */
const coinbaseProduct = ({ params }: RouteRequest, m: FixtureMarket) => id(m, params.product ?? null);

const BINANCE = 'api.binance.com';
const BINANCE_FAPI = 'fapi.binance.com';
const BINANCE_DAPI = 'dapi.binance.com';
const OKX = 'www.okx.com';
const KRAKEN = 'api.kraken.com';
const BYBIT = 'api.bybit.com';
const COINBASE_EXCHANGE = 'api.exchange.coinbase.com';

/** Request paths ccxt 4.5.x uses for the recorded public methods (fixtures README, "Request paths observed"). */
export const DEFAULT_ROUTES: readonly ReplayRoute[] = [
  {
    exchange: 'binance',
    host: BINANCE,
    path: '/api/v3/ticker/24hr',
    method: 'fetchTicker',
    select: binanceSpot,
  },
  { exchange: 'binance', host: BINANCE, path: '/api/v3/ticker', method: 'fetchTickers' },
  { exchange: 'binance', host: BINANCE, path: '/api/v3/klines', method: 'fetchOHLCV', select: binanceSpot },
  {
    exchange: 'binance',
    host: BINANCE_FAPI,
    path: '/fapi/v1/klines',
    method: 'fetchOHLCV',
    select: binanceLinear,
  },
  {
    exchange: 'binance',
    host: BINANCE_DAPI,
    path: '/dapi/v1/indexPriceKlines',
    method: 'fetchOHLCV',
    select: ({ query }, m) => m.inverse === true && query.get('pair') === m.id.replace(/_PERP$/, ''),
  },
  {
    exchange: 'binance',
    host: BINANCE,
    path: '/api/v3/depth',
    method: 'fetchOrderBook',
    select: binanceSpot,
  },
  {
    exchange: 'binance',
    host: BINANCE_FAPI,
    path: '/fapi/v1/depth',
    method: 'fetchOrderBook',
    select: binanceLinear,
  },
  {
    exchange: 'binance',
    host: BINANCE,
    path: '/api/v3/aggTrades',
    method: 'fetchTrades',
    select: binanceSpot,
  },

  { exchange: 'okx', host: OKX, path: '/api/v5/market/ticker', method: 'fetchTicker', select: okxInst },
  { exchange: 'okx', host: OKX, path: '/api/v5/market/trades', method: 'fetchTrades', select: okxInst },
  { exchange: 'okx', host: OKX, path: '/api/v5/market/books', method: 'fetchOrderBook', select: okxInst },
  {
    exchange: 'okx',
    host: OKX,
    path: '/api/v5/market/history-candles',
    method: 'fetchOHLCV',
    select: okxInst,
  },
  { exchange: 'okx', host: OKX, path: '/api/v5/market/candles', method: 'fetchOHLCV', select: okxInst },

  { exchange: 'kraken', host: KRAKEN, path: '/0/public/Ticker', method: 'fetchTicker', select: krakenPair },
  { exchange: 'kraken', host: KRAKEN, path: '/0/public/Trades', method: 'fetchTrades', select: krakenPair },
  { exchange: 'kraken', host: KRAKEN, path: '/0/public/OHLC', method: 'fetchOHLCV', select: krakenPair },

  {
    exchange: 'bybit',
    host: BYBIT,
    path: '/v5/market/tickers',
    method: 'fetchTicker',
    select: bybitCategory,
  },
  {
    exchange: 'bybit',
    host: BYBIT,
    path: '/v5/market/recent-trade',
    method: 'fetchTrades',
    select: bybitCategory,
  },
  {
    exchange: 'bybit',
    host: BYBIT,
    path: '/v5/market/orderbook',
    method: 'fetchOrderBook',
    select: bybitCategory,
  },
  { exchange: 'bybit', host: BYBIT, path: '/v5/market/kline', method: 'fetchOHLCV', select: bybitCategory },

  ...(
    [
      ['ticker', 'fetchTicker'],
      ['trades', 'fetchTrades'],
      ['candles', 'fetchOHLCV'],
    ] as const
  ).map(([leaf, method]): ReplayRoute => ({
    exchange: 'coinbaseexchange',
    host: COINBASE_EXCHANGE,
    path: new RegExp(`^/products/(?<product>[^/]+)/${leaf}$`),
    method,
    select: coinbaseProduct,
  })),
];

export interface ReplayServerOptions {
  fixtures?: Partial<Record<ReplayExchange, ExchangeFixtures>>;
  routes?: readonly ReplayRoute[];
}

function matchPath(pattern: string | RegExp, path: string): Record<string, string> | undefined {
  if (typeof pattern === 'string') return pattern === path ? {} : undefined;
  const match = pattern.exec(path);
  return match ? { ...match.groups } : undefined;
}

/** The fixture entry for a request, or why there is none. */
function resolveEntry(
  routes: readonly ReplayRoute[],
  fixtures: Partial<Record<ReplayExchange, ExchangeFixtures>>,
  host: string,
  path: string,
  query: URLSearchParams,
): { route: ReplayRoute; entry: FixtureEntry } | { unmatched: string } {
  for (const route of routes) {
    if (route.host !== host) continue;
    const params = matchPath(route.path, path);
    if (!params) continue;
    const recorded = fixtures[route.exchange];
    const entries = recorded?.methods[route.method] ?? [];
    const candidates = entries.filter((entry) => {
      if (!route.select) return true;
      const symbol = entry.input[0];
      const market = typeof symbol === 'string' ? recorded?.markets[symbol] : undefined;
      return market !== undefined && route.select({ query, params }, market);
    });
    if (candidates.length === 1) return { route, entry: candidates[0]! };
    return {
      unmatched:
        candidates.length === 0
          ? `no recorded ${route.exchange} ${route.method} entry for this market`
          : `${candidates.length} recorded ${route.exchange} ${route.method} entries match; the route must pick one`,
    };
  }
  return { unmatched: 'unknown route' };
}

export async function startReplayServer(options: ReplayServerOptions = {}): Promise<ReplayServer> {
  const fixtures = options.fixtures ?? loadedFixtures;
  const routes = options.routes ?? DEFAULT_ROUTES;
  const requests: ReplayRequest[] = [];
  let override: ReplayOverride | undefined;

  const send = (res: ServerResponse, status: number, body: unknown) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, {
      'content-type': typeof body === 'string' ? 'text/plain' : 'application/json',
      'content-length': Buffer.byteLength(text),
    });
    res.end(text);
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://replay.invalid');
    const [, host = '', ...rest] = url.pathname.split('/');
    const path = `/${rest.join('/')}`;
    const record: ReplayRequest = {
      httpMethod: req.method ?? 'GET',
      url: req.url ?? '/',
      host,
      path,
      query: Object.fromEntries(url.searchParams),
      status: 0,
    };
    requests.push(record);

    const replaced = override?.(record);
    if (replaced) {
      record.status = replaced.status;
      record.overridden = true;
      send(res, replaced.status, replaced.body);
      return;
    }
    const found =
      req.method === 'GET'
        ? resolveEntry(routes, fixtures, host, path, url.searchParams)
        : { unmatched: `method ${req.method ?? '?'} is not replayed` };
    if ('unmatched' in found) {
      record.status = 404;
      record.unmatched = found.unmatched;
      send(res, 404, { error: 'replay: no recorded response', reason: found.unmatched, host, path });
      return;
    }
    record.status = 200;
    record.served = {
      exchange: found.route.exchange,
      method: found.route.method,
      description: found.entry.description,
    };
    send(res, 200, found.entry.httpResponse);
  };

  const server = createServer((req, res) => {
    // the body of a GET is irrelevant, but drain it so the socket can be reused
    req.resume();
    req.on('end', () => handle(req, res));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    unmatched: () => requests.filter((r) => r.unmatched !== undefined),
    servedFor: (exchange, method) =>
      requests.filter(
        (r) => r.served?.exchange === exchange && (method === undefined || r.served.method === method),
      ),
    setOverride(next) {
      override = next;
    },
    clearLog() {
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // ccxt keeps connections alive; without this close() would wait for them to time out
        server.closeAllConnections();
      }),
  };
}
