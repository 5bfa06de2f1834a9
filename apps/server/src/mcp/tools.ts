import { z } from 'zod';
import { MarketError, exchangeIdSchema, symbolSchema, timeframeSchema } from '@marketgate/market-core';
import type { Capabilities, MarketService } from '@marketgate/market-core';

/**
 * The MCP tools: thin, model-friendly views of MarketService. Inputs are zod schemas with
 * descriptions a model can act on; results are plain JSON objects capped to fit a context window,
 * with `truncated` and a `notice` saying how to get the rest.
 */

/** Result caps: the most a single tool answer carries. */
export const CAPS = {
  candles: 500,
  tickers: 50,
  levels: 100,
  trades: 200,
  markets: 500,
} as const;

export interface ToolDefinition<S extends z.ZodObject = z.ZodObject> {
  name: string;
  /** The router procedure this tool mirrors (metrics label). */
  procedure: string;
  description: string;
  input: S;
  run(service: MarketService, args: z.output<S>): Promise<object>;
}

const CAPABILITIES = ['ticker', 'tickers', 'ohlcv', 'orderBook', 'trades', 'stream'] as const;

const exchange = exchangeIdSchema.describe(
  'Exchange id as listed by list_exchanges, e.g. "binance", "kraken", or "sim" (offline simulated exchange with synthetic prices)',
);
const symbol = symbolSchema.describe(
  'Market symbol as "BASE/QUOTE", e.g. "BTC/USDT" ("BTC-USDT" also works); use search_markets to find valid symbols',
);
const time = z
  .union([
    z.number().int().nonnegative(),
    z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time such as 2025-01-01T00:00:00Z' }),
  ])
  .transform((v) => (typeof v === 'number' ? v : Date.parse(v)));

function capped<T>(items: readonly T[], cap: number): { items: T[]; truncated: boolean } {
  return items.length > cap
    ? { items: items.slice(0, cap), truncated: true }
    : { items: [...items], truncated: false };
}

function notice(truncated: boolean, text: string): { truncated: boolean; notice?: string } {
  return truncated ? { truncated: true, notice: text } : { truncated: false };
}

function define<S extends z.ZodObject>(tool: ToolDefinition<S>): ToolDefinition {
  return tool;
}

export const TOOLS: readonly ToolDefinition[] = [
  define({
    name: 'list_exchanges',
    procedure: 'exchanges.list',
    description:
      'List the exchanges this server can query and what each supports. Without arguments: a compact ' +
      'list of ids, names and capabilities. With `exchange`: that exchange in detail, including its candle timeframes.',
    input: z.object({
      exchange: exchange.optional().describe('Show one exchange in detail (its timeframes included)'),
      capability: z
        .enum(CAPABILITIES)
        .optional()
        .describe('Only exchanges that support this: ticker, tickers, ohlcv, orderBook, trades or stream'),
      search: z.string().trim().max(64).optional().describe('Case-insensitive filter on exchange id or name'),
    }),
    run(service, { exchange: one, capability, search }) {
      const all = service.listExchanges();
      if (one !== undefined) {
        const id = service.registry.resolve(one);
        const found = all.find((e) => e.id === id);
        if (!found) throw new MarketError('UNKNOWN_EXCHANGE', `Unknown exchange "${one}"`);
        return Promise.resolve(found);
      }
      const needle = search?.toLowerCase();
      const exchanges = all
        .filter((e) => !capability || e.capabilities[capability])
        .filter((e) => !needle || e.id.includes(needle) || e.name.toLowerCase().includes(needle))
        .map((e) => ({
          id: e.id,
          name: e.name,
          simulated: e.simulated,
          capabilities: (Object.keys(e.capabilities) as (keyof Capabilities)[]).filter(
            (k) => e.capabilities[k],
          ),
        }));
      return Promise.resolve({
        count: exchanges.length,
        exchanges,
        hint: 'Call list_exchanges with `exchange` to see its timeframes; "sim" is simulated, not real market data.',
      });
    },
  }),
  define({
    name: 'search_markets',
    procedure: 'exchanges.markets',
    description:
      'Find markets (trading pairs) on an exchange. Matches the query against symbol, base and quote, ' +
      'e.g. "BTC" or "ETH/USDT". Use it to find the exact symbol before calling the other tools.',
    input: z.object({
      exchange,
      query: z
        .string()
        .trim()
        .max(64)
        .optional()
        .describe('Case-insensitive text to match: a coin ("BTC"), a quote ("USDT") or a pair ("ETH/USDT")'),
      limit: z
        .number()
        .int()
        .min(1)
        .max(CAPS.markets)
        .default(50)
        .describe(`Most markets to return (1..${CAPS.markets}, default 50)`),
    }),
    async run(service, { exchange, query, limit }) {
      const all = await service.markets({ exchange, ...(query ? { search: query } : {}) });
      const { items, truncated } = capped(all, limit);
      return {
        exchange: service.registry.resolve(exchange),
        query: query ?? null,
        total: all.length,
        count: items.length,
        markets: items,
        ...notice(
          truncated,
          `Showing ${items.length} of ${all.length} markets; narrow the query or raise limit.`,
        ),
      };
    },
  }),
  define({
    name: 'get_ticker',
    procedure: 'market.ticker',
    description:
      'Latest price summary of one market: last, bid, ask, 24h high/low/open, volumes, change and percentage. ' +
      'Times are ms since epoch; `source` says whether the data is real ("exchange") or "simulated".',
    input: z.object({ exchange, symbol }),
    run: (service, args) => service.ticker(args),
  }),
  define({
    name: 'get_tickers',
    procedure: 'market.tickers',
    description: `Latest tickers of several markets of one exchange in one call (at most ${CAPS.tickers} are returned).`,
    input: z.object({
      exchange,
      symbols: z
        .array(symbol)
        .min(1)
        .max(100)
        .describe(`Market symbols such as ["BTC/USDT", "ETH/USDT"]; the first ${CAPS.tickers} are answered`),
    }),
    async run(service, { exchange, symbols }) {
      const { items, truncated } = capped(symbols, CAPS.tickers);
      const tickers = await service.tickers({ exchange, symbols: items });
      return {
        count: tickers.length,
        tickers,
        ...notice(
          truncated,
          `Only the first ${CAPS.tickers} of ${symbols.length} symbols were fetched; ask for the rest in another call.`,
        ),
      };
    },
  }),
  define({
    name: 'get_ohlcv',
    procedure: 'market.ohlcv',
    description:
      'Candles (OHLCV) of one market, oldest first, as rows [time, open, high, low, close, volume]. ' +
      `Without since/until: the latest \`limit\` candles. At most ${CAPS.candles} candles per call; page with since.`,
    input: z.object({
      exchange,
      symbol,
      timeframe: timeframeSchema.default('1h'),
      since: time
        .optional()
        .describe('Oldest candle open time: ms since epoch or ISO 8601, e.g. "2025-01-01T00:00:00Z"'),
      until: time.optional().describe('Newest candle open time: ms since epoch or ISO 8601'),
      limit: z
        .number()
        .int()
        .min(1)
        .max(5000)
        .default(100)
        .describe(`Number of candles (default 100; more than ${CAPS.candles} is capped to ${CAPS.candles})`),
    }),
    async run(service, { exchange, symbol, timeframe, since, until, limit }) {
      const truncated = limit > CAPS.candles;
      const result = await service.ohlcv({
        exchange,
        symbol,
        timeframe,
        limit: Math.min(limit, CAPS.candles),
        ...(since === undefined ? {} : { since }),
        ...(until === undefined ? {} : { until }),
      });
      const last = result.candles.at(-1)?.[0];
      return {
        exchange: result.exchange,
        symbol: result.symbol,
        timeframe: result.timeframe,
        columns: ['time', 'open', 'high', 'low', 'close', 'volume'],
        count: result.candles.length,
        candles: result.candles,
        ...notice(
          truncated,
          `Capped at ${CAPS.candles} candles (asked for ${limit}).` +
            (since !== undefined && last !== undefined
              ? ` For the next page call again with since=${last + 1}.`
              : ' Use since/until to page through older data.'),
        ),
      };
    },
  }),
  define({
    name: 'get_order_book',
    procedure: 'market.orderBook',
    description: `Order book of one market: bids (highest first) and asks (lowest first) as [price, amount] rows, at most ${CAPS.levels} levels a side.`,
    input: z.object({
      exchange,
      symbol,
      depth: z
        .number()
        .int()
        .min(1)
        .max(500)
        .default(20)
        .describe(`Levels per side (default 20; more than ${CAPS.levels} is capped to ${CAPS.levels})`),
    }),
    async run(service, { exchange, symbol, depth }) {
      const truncated = depth > CAPS.levels;
      const book = await service.orderBook({ exchange, symbol, depth: Math.min(depth, CAPS.levels) });
      return {
        ...book,
        ...notice(truncated, `Capped at ${CAPS.levels} levels a side (asked for ${depth}).`),
      };
    },
  }),
  define({
    name: 'get_trades',
    procedure: 'market.trades',
    description: `Most recent public trades of one market, oldest first: id, time (ms), side, price, amount, cost. At most ${CAPS.trades}.`,
    input: z.object({
      exchange,
      symbol,
      limit: z
        .number()
        .int()
        .min(1)
        .max(1000)
        .default(50)
        .describe(
          `Number of recent trades (default 50; more than ${CAPS.trades} is capped to ${CAPS.trades})`,
        ),
    }),
    async run(service, { exchange, symbol, limit }) {
      const truncated = limit > CAPS.trades;
      const trades = await service.trades({ exchange, symbol, limit: Math.min(limit, CAPS.trades) });
      return {
        count: trades.length,
        trades,
        ...notice(truncated, `Capped at the latest ${CAPS.trades} trades (asked for ${limit}).`),
      };
    },
  }),
];

export const TOOL_NAMES = TOOLS.map((t) => t.name);
