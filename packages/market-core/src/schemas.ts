import { z } from 'zod';

/**
 * Every input and output shape of the public contract. The server validates with these, the client
 * infers its types from them, and OpenAPI/MCP schemas are generated from them: one source of truth.
 * Inputs stay free of transforms so they can be rendered as JSON Schema; normalisation happens in
 * the service.
 */

const num = z.number().nullable();

export const exchangeIdSchema = z
  .string()
  .trim()
  .min(1, 'exchange is required')
  .max(64)
  .describe('Exchange id: a ccxt exchange id such as "binance", or "sim" for the simulated exchange');

export const symbolSchema = z
  .string()
  .trim()
  .min(1, 'symbol is required')
  .max(64)
  .describe(
    'Market symbol, unified "BTC/USDT"; "BTC-USDT", "btc_usdt" and the exchange\'s own id are accepted',
  );

export const timeframeSchema = z
  .string()
  .trim()
  .regex(/^\d+[smhdwMy]$/, 'timeframe must look like 1m, 5m, 1h, 1d, 1w or 1M')
  .describe('Candle timeframe such as 1m, 5m, 15m, 1h, 4h, 1d, 1w, 1M');

const timestampSchema = z.number().int().nonnegative();

export const marketsInputSchema = z.object({
  exchange: exchangeIdSchema,
  search: z.string().trim().max(64).optional().describe('Case-insensitive filter on symbol, base or quote'),
  limit: z.number().int().min(1).max(5000).optional().describe('Maximum markets to return (default all)'),
});

export const tickerInputSchema = z.object({ exchange: exchangeIdSchema, symbol: symbolSchema });

export const tickersInputSchema = z.object({
  exchange: exchangeIdSchema,
  symbols: z
    .array(symbolSchema)
    .min(1, 'symbols needs at least 1 symbol')
    .max(100, 'symbols takes at most 100'),
});

export const ohlcvInputSchema = z.object({
  exchange: exchangeIdSchema,
  symbol: symbolSchema,
  timeframe: timeframeSchema.default('1m'),
  since: timestampSchema.optional().describe('Oldest candle open time, ms since epoch'),
  until: timestampSchema.optional().describe('Newest candle open time, ms since epoch'),
  limit: z.number().int().min(1).max(5000).default(500).describe('Number of candles (1..5000)'),
});

export const orderBookInputSchema = z.object({
  exchange: exchangeIdSchema,
  symbol: symbolSchema,
  depth: z.number().int().min(1).max(500).default(20).describe('Levels per side (1..500)'),
});

export const tradesInputSchema = z.object({
  exchange: exchangeIdSchema,
  symbol: symbolSchema,
  limit: z.number().int().min(1).max(1000).default(50).describe('Number of recent trades (1..1000)'),
});

export const healthSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  version: z.string(),
  uptimeS: z.number(),
  now: z.number(),
});

export const statsSchema = z.object({
  cache: z.object({ hits: z.number(), misses: z.number(), size: z.number() }),
  upstream: z.object({ calls: z.record(z.string(), z.number()) }),
  feeds: z.object({
    active: z.number(),
    subscribers: z.number(),
    modes: z.record(z.string(), z.string()).optional(),
  }),
  rateLimited: z.number(),
});

export const capabilitiesSchema = z.object({
  ticker: z.boolean(),
  tickers: z.boolean(),
  ohlcv: z.boolean(),
  orderBook: z.boolean(),
  trades: z.boolean(),
  stream: z.boolean(),
});

export const exchangeInfoSchema = z.object({
  id: z.string(),
  name: z.string(),
  simulated: z.boolean(),
  capabilities: capabilitiesSchema,
  timeframes: z.array(z.string()),
});

export const marketSummarySchema = z.object({
  symbol: z.string(),
  base: z.string(),
  quote: z.string(),
  type: z.string(),
  active: z.boolean(),
});

export const tickerSchema = z.object({
  exchange: z.string(),
  symbol: z.string(),
  timestamp: num,
  last: num,
  bid: num,
  ask: num,
  high: num,
  low: num,
  open: num,
  close: num,
  baseVolume: num,
  quoteVolume: num,
  change: num,
  percentage: num,
  vwap: num,
  fetchedAt: z.number(),
  source: z.enum(['exchange', 'simulated']),
  cached: z.boolean(),
});

/** [timestamp, open, high, low, close, volume] */
export const candleSchema = z.tuple([z.number(), z.number(), z.number(), z.number(), z.number(), z.number()]);

export const ohlcvSchema = z.object({
  exchange: z.string(),
  symbol: z.string(),
  timeframe: z.string(),
  candles: z.array(candleSchema),
});

/** [price, amount] */
export const bookLevelSchema = z.tuple([z.number(), z.number()]);

export const orderBookSchema = z.object({
  exchange: z.string(),
  symbol: z.string(),
  timestamp: num,
  bids: z.array(bookLevelSchema),
  asks: z.array(bookLevelSchema),
});

export const tradeSchema = z.object({
  id: z.string().nullable(),
  timestamp: num,
  side: z.enum(['buy', 'sell']).nullable(),
  price: z.number(),
  amount: z.number(),
  cost: num,
});

export const tradesSchema = z.array(tradeSchema);

export type MarketsInput = z.input<typeof marketsInputSchema>;
export type TickerInput = z.input<typeof tickerInputSchema>;
export type TickersInput = z.input<typeof tickersInputSchema>;
export type OhlcvInput = z.input<typeof ohlcvInputSchema>;
export type OrderBookInput = z.input<typeof orderBookInputSchema>;
export type TradesInput = z.input<typeof tradesInputSchema>;

export type Health = z.infer<typeof healthSchema>;
export type Stats = z.infer<typeof statsSchema>;
export type Capabilities = z.infer<typeof capabilitiesSchema>;
export type ExchangeInfo = z.infer<typeof exchangeInfoSchema>;
export type MarketSummary = z.infer<typeof marketSummarySchema>;
export type Ticker = z.infer<typeof tickerSchema>;
export type Candle = z.infer<typeof candleSchema>;
export type Ohlcv = z.infer<typeof ohlcvSchema>;
export type BookLevel = z.infer<typeof bookLevelSchema>;
export type OrderBook = z.infer<typeof orderBookSchema>;
export type Trade = z.infer<typeof tradeSchema>;
