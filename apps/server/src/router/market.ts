import {
  ohlcvInputSchema,
  ohlcvSchema,
  orderBookInputSchema,
  orderBookSchema,
  tickerInputSchema,
  tickerSchema,
  tickersInputSchema,
  tradesInputSchema,
  tradesSchema,
} from '@marketgate/market-core';
import { z } from 'zod';
import { limitedProcedure, router } from '../trpc.js';

export const marketRouter = router({
  ticker: limitedProcedure
    .input(tickerInputSchema)
    .output(tickerSchema)
    .query(({ ctx, input }) => ctx.service.ticker(input)),
  tickers: limitedProcedure
    .input(tickersInputSchema)
    .output(z.array(tickerSchema))
    .query(({ ctx, input }) => ctx.service.tickers(input)),
  ohlcv: limitedProcedure
    .input(ohlcvInputSchema)
    .output(ohlcvSchema)
    .query(({ ctx, input }) => ctx.service.ohlcv(input)),
  orderBook: limitedProcedure
    .input(orderBookInputSchema)
    .output(orderBookSchema)
    .query(({ ctx, input }) => ctx.service.orderBook(input)),
  trades: limitedProcedure
    .input(tradesInputSchema)
    .output(tradesSchema)
    .query(({ ctx, input }) => ctx.service.trades(input)),
});
