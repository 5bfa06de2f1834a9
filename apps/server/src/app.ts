import { randomUUID } from 'node:crypto';
import Fastify, { LogController } from 'fastify';
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify';
import { fastifyTRPCPlugin } from '@trpc/server/adapters/fastify';
import type { FastifyTRPCPluginOptions } from '@trpc/server/adapters/fastify';
import { FeedHub, MarketService } from '@marketgate/market-core';
import type { MarketServiceOptions } from '@marketgate/market-core';
import type { Config } from './config.js';
import { createLogger } from './logger.js';
import { Metrics, installMetrics, noteTrpcError } from './metrics.js';
import { registerMcpHttp } from './mcp/http.js';
import type { Logger } from './logger.js';
import { registerCors } from './http/cors.js';
import { ResponseCache } from './http/response-cache.js';
import { ClientRateLimiter } from './rate-limit.js';
import { serviceOptionsFrom, version } from './service-options.js';
import { createRedisSharing } from './redis/index.js';
import { registerRest } from './rest/index.js';
import { registerStatic } from './static.js';
import { registerStreaming } from './transports/ws.js';
import { appRouter } from './router/index.js';
import type { AppRouter } from './router/index.js';
import { healthOf } from './router/system.js';
import { reasonOf } from './trpc.js';
import type { AppDeps, Context } from './trpc.js';

export interface ServerOptions {
  config: Config;
  log?: Logger;
  /** Overrides for the market service (tests inject sources or a clock). */
  service?: Partial<MarketServiceOptions>;
  /** WebSocket transport options (the bench compares the lean stream path with tRPC's own). */
  streaming?: { lean?: boolean; maxBufferedBytes?: number };
}

export interface MarketServer {
  app: FastifyInstance;
  deps: AppDeps;
  /** Starts listening; resolves with the base URL, e.g. http://127.0.0.1:8787 */
  listen(): Promise<string>;
  /** Stops accepting, lets in-flight requests finish, releases exchanges. */
  close(): Promise<void>;
}

/** Per-request facts the access log line reports, filled by tRPC's onError. */
interface RequestOutcome {
  reasons: string[];
}
const outcomes = new WeakMap<FastifyRequest, RequestOutcome>();

export function createServer(options: ServerOptions): MarketServer {
  const { config } = options;
  const log = options.log ?? createLogger(config);
  const metrics = new Metrics();
  // MCP_REDIS_URL: cache, client limits, upstream budget and live feeds shared with other instances
  const redis = config.redisUrl ? createRedisSharing(config, log) : undefined;
  const service = new MarketService({
    ...serviceOptionsFrom(config),
    observer: metrics.upstreamObserver,
    ...(redis ? { cache: redis.cache, budget: redis.budget } : {}),
    ...options.service,
  });
  const feeds = new FeedHub({
    service,
    mode: config.streamMode,
    pollIntervalMs: config.pollIntervalMs,
    log,
    coordinator: redis?.feeds,
  });
  const deps: AppDeps = {
    config,
    service,
    feeds,
    limiter: ClientRateLimiter.inMemory(config.rateLimit.requests, config.rateLimit.periodS),
    log,
    version,
    startedAt: Date.now(),
    redis,
    degraded: () => redis?.degraded() ?? [],
  };
  if (redis) deps.limiter.use(redis.rateLimiter(config.rateLimit.requests, config.rateLimit.periodS));
  let shuttingDown = false;
  const responseCache = new ResponseCache({
    ttlMs: config.tickerTtlMs,
    limiter: deps.limiter,
    trustProxy: config.trustProxy,
    log,
    onHit: (procedures, seconds) => {
      for (const p of procedures) metrics.observeRequest(p, 'http', 'ok', seconds);
    },
  });
  deps.responseCacheHits = () => responseCache.hits;

  const app = Fastify({
    // widen pino's Logger to Fastify's base type so the instance type stays the default one
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
    loggerInstance: log as FastifyBaseLogger,
    // our onResponse hook writes the one access line per request
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: config.trustProxy,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
    },
    routerOptions: { maxParamLength: 500 },
    serverFactory: responseCache.serverFactory,
  });

  app.addHook('onResponse', (req, reply, done) => {
    const url = req.url.split('?')[0] ?? '';
    const procedure = url.startsWith('/trpc/') ? url.slice('/trpc/'.length) : undefined;
    const reasons = outcomes.get(req)?.reasons ?? [];
    req.log.info(
      {
        method: req.method,
        path: url,
        procedure,
        status: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime * 10) / 10,
        outcome: reasons.length > 0 ? reasons.join(',') : reply.statusCode < 400 ? 'ok' : 'error',
      },
      'request',
    );
    done();
  });

  app.get('/healthz', () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    const health = healthOf(deps);
    if (shuttingDown) return reply.code(503).send({ ...health, status: 'shutting-down' });
    return reply.code(200).send(health);
  });

  const createContext = ({ req }: { req: FastifyRequest }): Context => {
    outcomes.set(req, { reasons: [] });
    return { ...deps, clientIp: req.ip, requestId: String(req.id) };
  };

  registerCors(app, config.corsOrigins);
  void app.register(fastifyTRPCPlugin, {
    prefix: '/trpc',
    trpcOptions: {
      router: appRouter,
      createContext,
      onError({ error, req, path }) {
        const { reason } = reasonOf(error);
        outcomes.get(req)?.reasons.push(reason);
        noteTrpcError(req, path, reason);
        if (reason === 'INTERNAL')
          log.error({ err: error.cause ?? error, path, reqId: req.id }, 'internal error');
      },
      responseMeta({ errors }) {
        const retryAfterMs = Math.max(0, ...errors.map((e) => retryAfterOf(e.cause)));
        return retryAfterMs > 0 ? { headers: { 'Retry-After': String(Math.ceil(retryAfterMs / 1000)) } } : {};
      },
    } satisfies FastifyTRPCPluginOptions<AppRouter>['trpcOptions'],
  });

  // REST + OpenAPI + /docs, MCP over Streamable HTTP, Prometheus metrics (same deps, same limiter)
  metrics.bind({
    cache: () => service.cache.stats(),
    rateLimited: () => deps.limiter.rejected,
    feeds: () => feeds.stats(),
    procedures: Object.keys(appRouter._def.procedures),
  });
  installMetrics(app, metrics);
  registerRest(app, { router: appRouter, createContext, metrics, version });
  registerMcpHttp(app, { deps, metrics });
  registerStatic(app);
  // WebSocket at /trpc (lean stream path + tRPC ws); preClose sends tRPC's reconnect notification
  registerStreaming(app, {
    deps,
    router: appRouter,
    log,
    onSubscription: (path, outcome, seconds) => metrics.observeRequest(path, 'ws', outcome, seconds),
    ...options.streaming,
  });

  return {
    app,
    deps,
    async listen() {
      await app.listen({ host: config.host, port: config.port });
      const address = app.server.address();
      const port = typeof address === 'object' && address ? address.port : config.port;
      const host = config.host.includes(':') ? `[${config.host}]` : config.host;
      return `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
    },
    async close() {
      shuttingDown = true;
      await app.close();
      await service.close();
      await redis?.close();
    },
  };
}

function retryAfterOf(cause: unknown): number {
  const ms = (cause as { retryAfterMs?: unknown } | undefined)?.retryAfterMs;
  return typeof ms === 'number' ? ms : 0;
}
