import { exchangeInfoSchema, marketSummarySchema, marketsInputSchema } from '@marketgate/market-core';
import { z } from 'zod';
import { limitedProcedure, router } from '../trpc.js';

export const exchangesRouter = router({
  list: limitedProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/api/exchanges',
        summary: 'Every exchange and its capabilities',
        tags: ['exchanges'],
        protect: false,
      },
    })
    .output(z.array(exchangeInfoSchema))
    .query(({ ctx }) => ctx.service.listExchanges()),
  markets: limitedProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/api/exchanges/{exchange}/markets',
        summary: 'Markets of one exchange',
        tags: ['exchanges'],
        protect: false,
      },
    })
    .input(marketsInputSchema)
    .output(z.array(marketSummarySchema))
    .query(({ ctx, input }) => ctx.service.markets(input)),
});
