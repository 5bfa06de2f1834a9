import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { toMarketError } from '@marketgate/market-core';
import type { MarketCache, UpstreamCallEvent, UpstreamObserver } from '@marketgate/market-core';

/**
 * Prometheus metrics of one server instance (its own registry, so several servers in one process,
 * as in tests, never clash). Names are documented in docs/operations.md.
 */

export type Transport = 'http' | 'sse' | 'ws' | 'rest' | 'mcp';

/** Live feed counts; wired to the feed hub when there is one. */
export interface FeedStats {
  active: number;
  subscribers: number;
}

export interface MetricsSources {
  cache: () => ReturnType<MarketCache['stats']>;
  rateLimited: () => number;
  feeds: () => FeedStats;
  /** Procedure names of the router, so label values stay bounded ("unknown" for anything else). */
  procedures: readonly string[];
}

/** Bound on remembered (procedure, transport, outcome) series; unknown names share one label anyway. */
const MAX_CACHED_SERIES = 1_000;
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export class Metrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'procedure' | 'transport' | 'outcome'>;
  private readonly requestDuration: Histogram<'procedure' | 'transport'>;
  private readonly upstreamCalls: Counter<'exchange' | 'method' | 'outcome'>;
  private readonly upstreamErrors: Counter<'exchange' | 'method' | 'reason'>;
  private readonly upstreamDuration: Histogram<'exchange' | 'method'>;
  private sources: MetricsSources | undefined;
  private procedures = new Set<string>();
  private readonly requestSeries = new Map<
    string,
    { count: { inc(): void }; duration: { observe(value: number): void } }
  >();

  /** Pass to MarketService's `observer` option: every upstream request lands here. */
  readonly upstreamObserver: UpstreamObserver = {
    onUpstreamCall: (event) => this.onUpstreamCall(event),
  };

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.requests = new Counter({
      name: 'marketgate_requests_total',
      help: 'API requests by procedure, transport (http, sse, ws, rest, mcp) and outcome (ok or an error reason)',
      labelNames: ['procedure', 'transport', 'outcome'],
      registers,
    });
    this.requestDuration = new Histogram({
      name: 'marketgate_request_duration_seconds',
      help: 'API request duration by procedure and transport',
      labelNames: ['procedure', 'transport'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.upstreamCalls = new Counter({
      name: 'marketgate_upstream_requests_total',
      help: 'Requests to exchanges by exchange, ccxt method and outcome (ok, error)',
      labelNames: ['exchange', 'method', 'outcome'],
      registers,
    });
    this.upstreamErrors = new Counter({
      name: 'marketgate_upstream_errors_total',
      help: 'Failed requests to exchanges by exchange, ccxt method and error reason',
      labelNames: ['exchange', 'method', 'reason'],
      registers,
    });
    this.upstreamDuration = new Histogram({
      name: 'marketgate_upstream_request_duration_seconds',
      help: 'Latency of requests to exchanges by exchange and ccxt method',
      labelNames: ['exchange', 'method'],
      buckets: DURATION_BUCKETS,
      registers,
    });

    // values kept elsewhere (cache, limiter, feed hub) are read at scrape time
    const source = <K extends keyof MetricsSources>(key: K): MetricsSources[K] | undefined =>
      this.sources?.[key];
    new Counter({
      name: 'marketgate_cache_hits_total',
      help: 'Answers served from the cache',
      registers,
      collect() {
        this.reset();
        this.inc(source('cache')?.().hits ?? 0);
      },
    });
    new Counter({
      name: 'marketgate_cache_misses_total',
      help: 'Cache lookups that had to load (concurrent identical misses merged into one load count once each)',
      registers,
      collect() {
        this.reset();
        this.inc(source('cache')?.().misses ?? 0);
      },
    });
    new Gauge({
      name: 'marketgate_cache_entries',
      help: 'Entries held in the cache',
      registers,
      collect() {
        this.set(source('cache')?.().size ?? 0);
      },
    });
    new Counter({
      name: 'marketgate_rate_limited_total',
      help: 'Requests refused with RATE_LIMITED (client over its MCP_RATE_LIMIT budget)',
      registers,
      collect() {
        this.reset();
        this.inc(source('rateLimited')?.() ?? 0);
      },
    });
    new Gauge({
      name: 'marketgate_live_feeds',
      help: 'Upstream live feeds running (one per exchange, channel, symbol and timeframe)',
      registers,
      collect() {
        this.set(source('feeds')?.().active ?? 0);
      },
    });
    new Gauge({
      name: 'marketgate_live_subscribers',
      help: 'Clients subscribed to live feeds',
      registers,
      collect() {
        this.set(source('feeds')?.().subscribers ?? 0);
      },
    });
  }

  /** Connects the scrape-time gauges to the instance's cache, limiter and feed hub. */
  bind(sources: MetricsSources): void {
    this.sources = sources;
    this.procedures = new Set(sources.procedures);
    this.requestSeries.clear();
  }

  /** A label value for a procedure name: known names as they are, anything else "unknown". */
  procedureLabel(name: string): string {
    return this.procedures.has(name) ? name : 'unknown';
  }

  /** One finished API request (a call of one procedure). `outcome` is "ok" or the error reason. */
  observeRequest(procedure: string, transport: Transport, outcome: string, seconds: number): void {
    const key = `${procedure}\u0000${transport}\u0000${outcome}`;
    let series = this.requestSeries.get(key);
    if (!series) {
      // prom-client hashes a labels object on every call; the response cache's hot path calls
      // this per request, so the labelled children are looked up once and kept
      const label = this.procedureLabel(procedure);
      series = {
        count: this.requests.labels({ procedure: label, transport, outcome }),
        duration: this.requestDuration.labels({ procedure: label, transport }),
      };
      if (this.requestSeries.size < MAX_CACHED_SERIES) this.requestSeries.set(key, series);
    }
    series.count.inc();
    series.duration.observe(seconds);
  }

  private onUpstreamCall(event: UpstreamCallEvent): void {
    const { exchange, method } = event;
    this.upstreamCalls.inc({ exchange, method, outcome: event.ok ? 'ok' : 'error' });
    this.upstreamDuration.observe({ exchange, method }, event.durationMs / 1000);
    if (!event.ok) this.upstreamErrors.inc({ exchange, method, reason: toMarketError(event.error).reason });
  }

  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

/** Error reasons of tRPC calls, noted by the tRPC adapter's onError, per request and procedure. */
const trpcErrors = new WeakMap<FastifyRequest, Map<string, string>>();

/** Called from tRPC's onError: remembers the reason a procedure of this HTTP request failed with. */
export function noteTrpcError(req: FastifyRequest, path: string | undefined, reason: string): void {
  let map = trpcErrors.get(req);
  if (!map) trpcErrors.set(req, (map = new Map<string, string>()));
  map.set(path ?? '', reason);
}

/**
 * GET /metrics, and the counting of tRPC HTTP/SSE calls (one per procedure of a batch) when their
 * connection's response closes. REST and MCP count their own calls; WebSocket calls are counted by whoever owns
 * the WebSocket handler through `metrics.observeRequest(procedure, 'ws', outcome, seconds)`.
 */
export function installMetrics(app: FastifyInstance, metrics: Metrics): void {
  app.get('/metrics', async (_req, reply) => {
    const { contentType, body } = await metrics.scrape();
    return reply.header('Content-Type', contentType).header('Cache-Control', 'no-store').send(body);
  });

  // 'close' rather than onResponse: a subscription the client ends (SSE) never 'finish'es
  app.addHook('onRequest', (req, reply, done) => {
    const url = req.url.split('?')[0] ?? '';
    if (url.startsWith('/trpc/')) {
      const started = performance.now();
      const transport: Transport = String(req.headers.accept ?? '').includes('text/event-stream')
        ? 'sse'
        : 'http';
      reply.raw.once('close', () => {
        const errors = trpcErrors.get(req);
        const seconds = (performance.now() - started) / 1000;
        let names: string[];
        try {
          names = decodeURIComponent(url.slice('/trpc/'.length)).split(',');
        } catch {
          names = ['unknown'];
        }
        const status = reply.raw.statusCode;
        for (const name of names) {
          const outcome =
            errors?.get(name) ??
            (errors?.size === 1 && names.length === 1 ? [...errors.values()][0] : undefined);
          metrics.observeRequest(name, transport, outcome ?? (status < 400 ? 'ok' : 'error'), seconds);
        }
      });
    }
    done();
  });
}
