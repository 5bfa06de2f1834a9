import { createRequire } from 'node:module';
import type { MarketServiceOptions } from '@marketgate/market-core';
import type { Config } from './config.js';

/** The server's version, from its package.json (src/ and dist/ both sit one level below it). */
export const version = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

/** MarketService settings from the validated config; every entry point (HTTP server, MCP stdio) uses these. */
export function serviceOptionsFrom(config: Config): MarketServiceOptions {
  return {
    exchanges: config.exchanges,
    tickerTtlMs: config.tickerTtlMs,
    cacheMaxEntries: config.cacheMaxEntries,
    requestTimeoutMs: config.requestTimeoutMs,
    retry: { retries: config.retryAttempts },
    upstreamProxyUrl: config.upstreamProxyUrl,
  };
}
