import ccxt from 'ccxt';
import { Writable } from 'node:stream';
import { createMarketClient } from '@marketgate/client';
import type { ExchangeSource } from '@marketgate/market-core';
import { createSimExchange } from '@marketgate/market-core';
import { createServer } from '../../src/app.js';
import type { ServerOptions } from '../../src/app.js';
import { Collector } from './collector.js';
import { configFrom } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';

export interface TestServer {
  url: string;
  client: ReturnType<typeof createMarketClient>;
  logLines: Record<string, unknown>[];
  /** The same lines, awaitable. */
  logs: Collector<Record<string, unknown>>;
  server: ReturnType<typeof createServer>;
  close(): Promise<void>;
}

/** The real server on 127.0.0.1:0 with JSON logs captured, reached through the typed client. */
export async function startTestServer(
  env: Record<string, string> = {},
  createSource?: (id: string) => ExchangeSource | undefined,
  extra: Pick<ServerOptions, 'streaming'> = {},
): Promise<TestServer> {
  const config = configFrom({
    MCP_PORT: '0',
    MCP_RATE_LIMIT_REQUESTS: '100000',
    MCP_LOG_LEVEL: 'info',
    MCP_LOG_FORMAT: 'json',
    ...env,
  });
  const logs = new Collector<Record<string, unknown>>();
  const logLines = logs.items;
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n'))
        if (line) logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const server = createServer({
    config,
    log: createLogger(config, sink),
    service: createSource ? { createSource } : {},
    ...extra,
  });
  const url = await server.listen();
  return { url, client: createMarketClient({ url }), logLines, logs, server, close: () => server.close() };
}

/** sim under another exchange id whose data calls all fail with `error`: a stand-in for a failing exchange. */
export function failingSource(id: string, error: () => unknown): ExchangeSource {
  const sim = createSimExchange();
  // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the error object is whatever the exchange would throw
  const fail = () => Promise.reject(error());
  return {
    ...sim,
    id,
    simulated: false,
    fetchTicker: fail,
    fetchTickers: fail,
    fetchOHLCV: fail,
    fetchOrderBook: fail,
    fetchTrades: fail,
  };
}

/** Exchange ids that fail in tests, each the way a real exchange can, one per upstream error reason. */
const FAILURES: Record<string, () => unknown> = {
  kraken: () => new ccxt.RateLimitExceeded('kraken 429'),
  okx: () => new ccxt.ExchangeNotAvailable('okx 503 https://www.okx.com/api?apiKey=secret'),
  bybit: () => new ccxt.RequestTimeout('bybit timed out'),
  coinbaseexchange: () => new ccxt.ExchangeError('coinbaseexchange {"message":"weird"}'),
  bitget: () => new TypeError("Cannot read properties of undefined (reading 'x')"),
  gate: () => new ccxt.NotSupported('gate fetchTicker not supported'),
};

/** For startTestServer's createSource: kraken throttles, okx is down, bybit times out, … (see FAILURES). */
export function failingExchanges(id: string): ExchangeSource | undefined {
  const error = FAILURES[id];
  return error ? failingSource(id, error) : undefined;
}
