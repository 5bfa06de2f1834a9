import { z } from 'zod';
import { exchangeIdSchema, symbolSchema, timeframeSchema } from '../schemas.js';

/**
 * Inputs of the stream.* subscriptions. `lastEventId` is what a reconnecting tRPC client sends back
 * (the id of the last `tracked()` event it saw); declared so it is not stripped.
 */
const lastEventId = z.string().max(64).nullish().describe('Id of the last event received, when resuming');

export const streamTickerInputSchema = z.object({
  exchange: exchangeIdSchema,
  symbol: symbolSchema,
  lastEventId,
});

export const streamTickersInputSchema = z.object({
  exchange: exchangeIdSchema,
  symbols: z
    .array(symbolSchema)
    .min(1, 'symbols needs at least 1 symbol')
    .max(100, 'symbols takes at most 100'),
  lastEventId,
});

export const streamOhlcvInputSchema = z.object({
  exchange: exchangeIdSchema,
  symbol: symbolSchema,
  timeframe: timeframeSchema.default('1m'),
  lastEventId,
});

export const streamOrderBookInputSchema = z.object({
  exchange: exchangeIdSchema,
  symbol: symbolSchema,
  depth: z.number().int().min(1).max(500).default(20).describe('Levels per side (1..500)'),
  lastEventId,
});

export type StreamTickerInput = z.input<typeof streamTickerInputSchema>;
export type StreamTickersInput = z.input<typeof streamTickersInputSchema>;
export type StreamOhlcvInput = z.input<typeof streamOhlcvInputSchema>;
export type StreamOrderBookInput = z.input<typeof streamOrderBookInputSchema>;
