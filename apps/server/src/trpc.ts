import { initTRPC, TRPCError } from '@trpc/server';
import { ZodError } from 'zod';
import type { OpenApiMeta } from 'trpc-to-openapi';
import { MarketError, REASON_STATUS, describeIssues } from '@marketgate/market-core';
import type { ErrorReason, FeedHub, MarketService } from '@marketgate/market-core';
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import type { ClientRateLimiter } from './rate-limit.js';
import type { RedisSharing } from './redis/index.js';

/** Long-lived parts every procedure may use. */
export interface AppDeps {
  config: Config;
  service: MarketService;
  /** Live feeds: stream.* subscriptions (router/stream.ts, transports/ws.ts). */
  feeds: FeedHub;
  limiter: ClientRateLimiter;
  log: Logger;
  version: string;
  startedAt: number;
  /** Answers served by the HTTP response cache in front of tRPC; they count as cache hits. */
  responseCacheHits?: () => number;
  /** Extra reasons the instance is degraded (e.g. Redis unreachable). */
  degraded?: () => string[];
  /** What this instance shares with others through MCP_REDIS_URL (absent without it). */
  redis?: RedisSharing | undefined;
}

export interface Context extends AppDeps {
  /** Client address: the socket peer, or X-Forwarded-For when MCP_TRUST_PROXY=true. */
  clientIp: string;
  requestId: string;
}

export interface ErrorData {
  reason: ErrorReason;
  retryable: boolean;
  retryAfterMs?: number;
}

/** The contract's reason, message and retry fields of a tRPC error (formatter, logs, metrics). */
export function reasonOf(error: TRPCError): {
  reason: ErrorReason;
  message: string;
  retryable: boolean;
  retryAfterMs?: number;
} {
  const cause = error.cause;
  if (cause instanceof MarketError) {
    return {
      reason: cause.reason,
      message: cause.reason === 'INTERNAL' ? 'Internal error' : cause.message,
      retryable: cause.retryable,
      ...(cause.retryAfterMs === undefined ? {} : { retryAfterMs: cause.retryAfterMs }),
    };
  }
  if (cause instanceof ZodError) {
    return {
      reason: 'INVALID_INPUT',
      message: `Invalid input: ${describeIssues(cause.issues)}`,
      retryable: false,
    };
  }
  switch (error.code) {
    case 'BAD_REQUEST':
    case 'PARSE_ERROR':
    case 'NOT_FOUND': // no such procedure
    case 'METHOD_NOT_SUPPORTED':
    case 'PAYLOAD_TOO_LARGE':
    case 'UNSUPPORTED_MEDIA_TYPE':
      return { reason: 'INVALID_INPUT', message: error.message, retryable: false };
    case 'TOO_MANY_REQUESTS':
      return { reason: 'RATE_LIMITED', message: error.message, retryable: true };
    default:
      return { reason: 'INTERNAL', message: 'Internal error', retryable: false };
  }
}

/** `meta.openapi` exposes a procedure as a REST path (see src/rest/). */
const t = initTRPC
  .context<Context>()
  .meta<OpenApiMeta>()
  .create({
    // no transformer: plain JSON on the wire so curl and other languages can call it
    isDev: false,
    // SSE subscriptions: a comment ping every 10 s; the client reconnects after 25 s without any byte
    sse: { ping: { enabled: true, intervalMs: 10_000 }, client: { reconnectAfterInactivityMs: 25_000 } },
    errorFormatter({ shape, error, ctx }) {
      const { reason, message, retryable, retryAfterMs } = reasonOf(error);
      const data: ErrorData & typeof shape.data = {
        ...shape.data,
        reason,
        retryable,
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      };
      delete data.stack;
      const withId = reason === 'INTERNAL' && ctx ? `${message} (request id ${ctx.requestId})` : message;
      return { ...shape, message: withId, data };
    },
  });

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const middleware = t.middleware;

/** MarketErrors become TRPCErrors with the contract's code; everything keeps its cause for the formatter. */
const mapErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (
    !result.ok &&
    result.error.cause instanceof MarketError &&
    result.error.code === 'INTERNAL_SERVER_ERROR'
  ) {
    const cause = result.error.cause;
    throw new TRPCError({ code: REASON_STATUS[cause.reason].code, message: cause.message, cause });
  }
  return result;
});

const rateLimit = t.middleware(async ({ ctx, next }) => {
  try {
    await ctx.limiter.consume(ctx.clientIp);
  } catch (error) {
    if (error instanceof MarketError) {
      throw new TRPCError({ code: REASON_STATUS[error.reason].code, message: error.message, cause: error });
    }
    throw error;
  }
  return next();
});

/** Health and stats: answer even to clients that spent their budget, so probes never read 429. */
export const publicProcedure = t.procedure.use(mapErrors);
/** Every data procedure: per-client rate limit, then the contract's error mapping. */
export const limitedProcedure = publicProcedure.use(rateLimit);
