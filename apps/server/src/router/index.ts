import { router } from '../trpc.js';
import { exchangesRouter } from './exchanges.js';
import { marketRouter } from './market.js';
import { streamRouter } from './stream.js';
import { systemRouter } from './system.js';

export const appRouter = router({
  system: systemRouter,
  exchanges: exchangesRouter,
  market: marketRouter,
  stream: streamRouter,
});

export type AppRouter = typeof appRouter;
