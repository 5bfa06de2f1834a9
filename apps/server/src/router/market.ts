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
    .meta({
      openapi: {
        method: 'GET',
        path: '/api/ticker/{exchange}/{symbol}',
        summary: 'Latest ticker of one market',
        tags: ['market'],
        protect: false,
      },
    })
    .input(tickerInputSchema)
    .output(tickerSchema)
    .query(({ ctx, input }) => ctx.service.ticker(input)),
  tickers: limitedProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/api/tickers/{exchange}',
        summary: 'Tickers of several markets (symbols=A,B)',
        tags: ['market'],
        protect: false,
      },
    })
    .input(tickersInputSchema)
    .output(z.array(tickerSchema))
    .query(({ ctx, input }) => ctx.service.tickers(input)),
  ohlcv: limitedProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/api/ohlcv/{exchange}/{symbol}',
        summary: 'Candles, oldest first',
        tags: ['market'],
        protect: false,
      },
    })
    .input(ohlcvInputSchema)
    .output(ohlcvSchema)
    .query(({ ctx, input }) => ctx.service.ohlcv(input)),
  orderBook: limitedProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/api/orderbook/{exchange}/{symbol}',
        summary: 'Order book snapshot',
        tags: ['market'],
        protect: false,
      },
    })
    .input(orderBookInputSchema)
    .output(orderBookSchema)
    .query(({ ctx, input }) => ctx.service.orderBook(input)),
  trades: limitedProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/api/trades/{exchange}/{symbol}',
        summary: 'Recent public trades',
        tags: ['market'],
        protect: false,
      },
    })
    .input(tradesInputSchema)
    .output(tradesSchema)
    .query(({ ctx, input }) => ctx.service.trades(input)),
});
