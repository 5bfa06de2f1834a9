import { exchangeInfoSchema, marketSummarySchema, marketsInputSchema } from '@marketgate/market-core';
import { z } from 'zod';
import { limitedProcedure, router } from '../trpc.js';

export const exchangesRouter = router({
  list: limitedProcedure.output(z.array(exchangeInfoSchema)).query(({ ctx }) => ctx.service.listExchanges()),
  markets: limitedProcedure
    .input(marketsInputSchema)
    .output(z.array(marketSummarySchema))
    .query(({ ctx, input }) => ctx.service.markets(input)),
});
