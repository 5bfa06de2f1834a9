import { z } from 'zod';
import { ohlcvInputSchema, orderBookInputSchema, tickerInputSchema, tickersInputSchema } from '../schemas.js';

/**
 * Inputs of the stream.* subscriptions: the matching query's input (ohlcv without its window), plus
 * `lastEventId`, which a reconnecting tRPC client sends back (the id of the last `tracked()` event it
 * saw); declared so it is not stripped.
 */
const lastEventId = z.string().max(64).nullish().describe('Id of the last event received, when resuming');

export const streamTickerInputSchema = tickerInputSchema.extend({ lastEventId });

export const streamTickersInputSchema = tickersInputSchema.extend({ lastEventId });

export const streamOhlcvInputSchema = ohlcvInputSchema
  .pick({ exchange: true, symbol: true, timeframe: true })
  .extend({ lastEventId });

export const streamOrderBookInputSchema = orderBookInputSchema.extend({ lastEventId });

export type StreamTickerInput = z.input<typeof streamTickerInputSchema>;
export type StreamTickersInput = z.input<typeof streamTickersInputSchema>;
export type StreamOhlcvInput = z.input<typeof streamOhlcvInputSchema>;
export type StreamOrderBookInput = z.input<typeof streamOrderBookInputSchema>;
