import { healthSchema, statsSchema } from '@marketgate/market-core';
import { z } from 'zod';
import { publicProcedure, router } from '../trpc.js';
import type { AppDeps } from '../trpc.js';

export function healthOf(deps: AppDeps) {
  const degraded = deps.degraded?.() ?? [];
  return {
    status: degraded.length > 0 ? ('degraded' as const) : ('ok' as const),
    version: deps.version,
    uptimeS: Math.round((Date.now() - deps.startedAt) / 1000),
    now: Date.now(),
  };
}

function cacheStatsOf(deps: AppDeps) {
  const stats = deps.service.cache.stats();
  return { ...stats, hits: stats.hits + (deps.responseCacheHits?.() ?? 0) };
}

export function statsOf(
  deps: AppDeps,
  feeds: { active: number; subscribers: number; modes?: Record<string, string> },
) {
  return {
    cache: cacheStatsOf(deps),
    upstream: { calls: deps.service.counters.upstreamCalls() },
    feeds,
    rateLimited: deps.limiter.rejected,
  };
}

export const systemRouter = router({
  health: publicProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/api/health',
        summary: 'Service health',
        tags: ['system'],
        protect: false,
      },
    })
    .output(healthSchema)
    .query(({ ctx }) => healthOf(ctx)),
  stats: publicProcedure.output(statsSchema).query(({ ctx }) => statsOf(ctx, ctx.feeds.stats())),
  /** What the dashboard opens on (MCP_DEFAULT_EXCHANGE / MCP_DEFAULT_SYMBOLS). */
  defaults: publicProcedure
    .output(z.object({ exchange: z.string(), symbols: z.array(z.string()) }))
    .query(({ ctx }) => ({ exchange: ctx.config.defaultExchange, symbols: ctx.config.defaultSymbols })),
});
