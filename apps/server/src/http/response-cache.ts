import { createServer } from 'node:http';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Logger } from '../logger.js';
import type { ClientRateLimiter } from '../rate-limit.js';
import { AccessLine } from './access-line.js';
import { clientIpOf } from './client-ip.js';

/** Read-only queries whose answers may be replayed for the ticker TTL; never system.* nor streams. */
const CACHEABLE = new Set([
  'market.ticker',
  'market.tickers',
  'market.ohlcv',
  'market.orderBook',
  'market.trades',
  'exchanges.list',
  'exchanges.markets',
]);
const MAX_BODY_BYTES = 256 * 1024;
const MAX_ENTRIES = 2_000;

interface Entry {
  body: Buffer;
  /** Response headers, built once when the answer is stored. */
  headers: Record<string, string | number>;
  path: string;
  /** JSON fragment of the access line's fixed fields. */
  logFields: string;
  procedures: string[];
  expiresAt: number;
}

export interface ResponseCacheOptions {
  ttlMs: number;
  limiter: ClientRateLimiter;
  trustProxy: boolean;
  log: Logger;
  /** Told about each answer served from here (metrics: these never reach Fastify's hooks). */
  onHit?: (procedures: string[], seconds: number) => void;
}

function isCacheable(req: IncomingMessage): boolean {
  const url = req.url;
  if (req.method !== 'GET' || !url?.startsWith('/trpc/')) return false;
  // streamed batches (httpBatchStreamLink) answer the same URL with other bytes; cross-origin
  // requests need the CORS headers Fastify adds
  if (req.headers['trpc-accept'] !== undefined || req.headers.origin !== undefined) return false;
  const end = url.indexOf('?');
  const paths = url.slice('/trpc/'.length, end < 0 ? undefined : end).split(',');
  return paths.every((p) => CACHEABLE.has(p));
}

/** Freshness of a stored answer: it expires when the data it carries would leave the service cache. */
function expiryOf(body: Buffer, now: number, ttlMs: number): number {
  const fetchedAt = /"fetchedAt":(\d+)/.exec(body.toString('latin1', 0, Math.min(body.length, 4096)))?.[1];
  return Math.min(now + ttlMs, fetchedAt ? Number(fetchedAt) + ttlMs : Infinity);
}

function entryFor(url: string, body: Buffer, contentType: string, expiresAt: number): Entry {
  const path = url.split('?')[0]!;
  return {
    body,
    headers: { 'content-type': contentType, 'content-length': body.length, 'x-response-cache': 'hit' },
    path,
    logFields: `"method":"GET","path":${JSON.stringify(path)},"procedure":${JSON.stringify(path.slice('/trpc/'.length))},"status":200`,
    procedures: path.slice('/trpc/'.length).split(','),
    expiresAt,
  };
}

/**
 * A response cache in front of the tRPC handler. tRPC's adapter builds a Fetch Request/Response
 * and an AbortSignal per call, which caps throughput at a few thousand requests per second per core;
 * identical GETs within the TTL are answered here with the bytes tRPC produced, after the same
 * per-client rate limit. Misses, errors and everything else go to Fastify unchanged.
 */
export class ResponseCache {
  private readonly store = new Map<string, Entry>();
  private readonly accessLine: AccessLine;
  hits = 0;

  constructor(private readonly options: ResponseCacheOptions) {
    this.accessLine = new AccessLine(options.log);
  }

  /** For Fastify's `serverFactory` option. */
  readonly serverFactory = (handler: RequestListener): Server =>
    createServer((req, res) => {
      this.handle(req, res, handler);
    });

  private handle(req: IncomingMessage, res: ServerResponse, next: RequestListener): void {
    if (!isCacheable(req)) return void next(req, res);
    const key = req.url!;
    const entry = this.store.get(key);
    const now = Date.now();
    if (!entry || entry.expiresAt <= now) {
      if (entry) this.store.delete(key);
      this.capture(key, res);
      return void next(req, res);
    }
    const start = performance.now();
    this.options.limiter.tryConsume(clientIpOf(req, this.options.trustProxy)).then(
      (allowed) => {
        // over budget: tRPC's path answers with the contract's RATE_LIMITED error
        if (!allowed) return void next(req, res);
        this.hits++;
        res.writeHead(200, entry.headers);
        res.end(entry.body);
        const seconds = (performance.now() - start) / 1000;
        this.logHit(req, entry, seconds);
        this.options.onHit?.(entry.procedures, seconds);
      },
      () => void next(req, res),
    );
  }

  private logHit(req: IncomingMessage, entry: Entry, seconds: number): void {
    const given = req.headers['x-request-id'];
    const reqId = typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
    this.accessLine.write(reqId, entry.logFields, Math.round(seconds * 10_000) / 10);
  }

  /** Keeps a copy of a successful answer as it is written. */
  private capture(key: string, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    let size = 0;
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    const keep = (chunk: unknown) => {
      if (size > MAX_BODY_BYTES || chunk === undefined || chunk === null || typeof chunk === 'function')
        return;
      const buf =
        typeof chunk === 'string'
          ? Buffer.from(chunk)
          : Buffer.isBuffer(chunk)
            ? chunk
            : Buffer.from(chunk as Uint8Array);
      size += buf.length;
      chunks.push(buf);
    };
    res.write = ((chunk: unknown, ...rest: unknown[]) => {
      keep(chunk);
      return write(chunk, ...rest);
    }) as ServerResponse['write'];
    res.end = ((chunk?: unknown, ...rest: unknown[]) => {
      keep(chunk);
      return end(chunk, ...rest);
    }) as ServerResponse['end'];
    res.once('finish', () => {
      const contentType = res.getHeader('content-type');
      if (res.statusCode !== 200 || size > MAX_BODY_BYTES || typeof contentType !== 'string') return;
      const body = Buffer.concat(chunks);
      const expiresAt = expiryOf(body, Date.now(), this.options.ttlMs);
      if (expiresAt <= Date.now()) return;
      if (this.store.size >= MAX_ENTRIES) this.evictExpired();
      if (this.store.size < MAX_ENTRIES) this.store.set(key, entryFor(key, body, contentType, expiresAt));
    });
  }

  private evictExpired(): void {
    const now = Date.now();
    for (const [key, entry] of this.store) if (entry.expiresAt <= now) this.store.delete(key);
    // still full of fresh entries: drop the oldest inserted ones
    for (const key of this.store.keys()) {
      if (this.store.size < MAX_ENTRIES * 0.9) break;
      this.store.delete(key);
    }
  }
}
