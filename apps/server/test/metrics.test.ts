import ccxt from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createMarketClient } from '@marketgate/client';
import { failingSource, startTestServer } from './helpers/server.js';
import type { TestServer } from './helpers/server.js';

/** The value of one sample of the exposition text, or undefined when the series is absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = new Map(
      [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!] as const),
    );
    if (Object.entries(labels).every(([k, v]) => have.get(k) === v)) return Number(match[3]);
  }
  return undefined;
}

describe('GET /metrics', () => {
  let t: TestServer;
  let text: string;
  let responseCacheHeader: string | null = null;
  beforeAll(async () => {
    t = await startTestServer({ MCP_RATE_LIMIT_REQUESTS: '12', MCP_RETRY_ATTEMPTS: '0' }, (id) =>
      id === 'okx' ? failingSource(id, () => new ccxt.ExchangeNotAvailable('okx down')) : undefined,
    );
    // REST twice (the second from the cache), tRPC, MCP, an upstream failure, an unknown symbol
    await fetch(`${t.url}/api/ticker/sim/BTC-USDT`);
    await fetch(`${t.url}/api/ticker/sim/BTC-USDT`);
    await t.client.market.ohlcv.query({ exchange: 'sim', symbol: 'ETH/USDT', limit: 5 });
    await fetch(`${t.url}/api/ticker/okx/BTC-USDT`);
    await t.client.market.ticker.query({ exchange: 'sim', symbol: 'NOPE/USDT' }).catch(() => undefined);
    await fetch(`${t.url}/trpc/no.such.procedure`);
    const mcp = new Client({ name: 'metrics-test', version: '1' });
    await mcp.connect(new StreamableHTTPClientTransport(new URL(`${t.url}/mcp`)));
    await mcp.callTool({ name: 'get_trades', arguments: { exchange: 'sim', symbol: 'BTC/USDT', limit: 3 } });
    await mcp.close();
    // the same tRPC GET twice: the second is answered by the response cache in front of Fastify
    const trades = `${t.url}/trpc/market.trades?input=${encodeURIComponent(JSON.stringify({ exchange: 'sim', symbol: 'BTC/USDT', limit: 4 }))}`;
    await (await fetch(trades)).text();
    const again = await fetch(trades);
    responseCacheHeader = again.headers.get('x-response-cache');
    await again.text();
    // spend the rest of the budget, then one more is refused
    while ((await fetch(`${t.url}/api/exchanges/sim/markets?limit=1`)).status !== 429);
    const res = await fetch(`${t.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    text = await res.text();
  });
  afterAll(() => t.close());

  it('default process metrics', () => {
    expect(sample(text, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(sample(text, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
  });

  it('requests by procedure, transport and outcome, with a duration histogram', () => {
    expect(
      sample(text, 'marketgate_requests_total', {
        procedure: 'market.ticker',
        transport: 'rest',
        outcome: 'ok',
      }),
    ).toBe(2);
    expect(
      sample(text, 'marketgate_requests_total', {
        procedure: 'market.ticker',
        transport: 'rest',
        outcome: 'UPSTREAM_UNAVAILABLE',
      }),
    ).toBe(1);
    expect(
      sample(text, 'marketgate_requests_total', {
        procedure: 'market.ohlcv',
        transport: 'http',
        outcome: 'ok',
      }),
    ).toBe(1);
    expect(
      sample(text, 'marketgate_requests_total', {
        procedure: 'market.ticker',
        transport: 'http',
        outcome: 'UNKNOWN_SYMBOL',
      }),
    ).toBe(1);
    expect(sample(text, 'marketgate_requests_total', { procedure: 'unknown', transport: 'http' })).toBe(1);
    // one answered by tRPC, one by the response cache: both counted
    expect(responseCacheHeader).toBe('hit');
    expect(
      sample(text, 'marketgate_requests_total', {
        procedure: 'market.trades',
        transport: 'http',
        outcome: 'ok',
      }),
    ).toBe(2);
    expect(
      sample(text, 'marketgate_requests_total', {
        procedure: 'market.trades',
        transport: 'mcp',
        outcome: 'ok',
      }),
    ).toBe(1);
    expect(
      sample(text, 'marketgate_requests_total', {
        procedure: 'exchanges.markets',
        transport: 'rest',
        outcome: 'RATE_LIMITED',
      }),
    ).toBe(1);
    expect(
      sample(text, 'marketgate_request_duration_seconds_count', {
        procedure: 'market.ticker',
        transport: 'rest',
      }),
    ).toBe(3);
    expect(
      sample(text, 'marketgate_request_duration_seconds_bucket', {
        procedure: 'market.ticker',
        transport: 'rest',
        le: '+Inf',
      }),
    ).toBe(3);
  });

  it('upstream calls, errors and latency by exchange and method', () => {
    expect(
      sample(text, 'marketgate_upstream_requests_total', {
        exchange: 'sim',
        method: 'fetchTicker',
        outcome: 'ok',
      }),
    ).toBe(1);
    expect(
      sample(text, 'marketgate_upstream_requests_total', {
        exchange: 'okx',
        method: 'fetchTicker',
        outcome: 'error',
      }),
    ).toBe(1);
    expect(
      sample(text, 'marketgate_upstream_errors_total', {
        exchange: 'okx',
        method: 'fetchTicker',
        reason: 'UPSTREAM_UNAVAILABLE',
      }),
    ).toBe(1);
    expect(
      sample(text, 'marketgate_upstream_request_duration_seconds_count', {
        exchange: 'sim',
        method: 'fetchOHLCV',
      }),
    ).toBeGreaterThanOrEqual(1);
  });

  it('cache, rate limiting and live feeds', () => {
    expect(sample(text, 'marketgate_cache_hits_total')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'marketgate_cache_misses_total')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'marketgate_cache_entries')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'marketgate_rate_limited_total')).toBe(1);
    expect(sample(text, 'marketgate_live_feeds')).toBe(0);
    expect(sample(text, 'marketgate_live_subscribers')).toBe(0);
  });
});

describe('GET /metrics with a live SSE subscription', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t.close());

  it('live feed gauges while open, then an sse request when closed', async () => {
    const scrape = async () => (await fetch(`${t.url}/metrics`)).text();
    const input = encodeURIComponent(JSON.stringify({ exchange: 'sim', symbol: 'SOL/USDT' }));
    const abort = new AbortController();
    const res = await fetch(`${t.url}/trpc/stream.ticker?input=${input}`, {
      headers: { accept: 'text/event-stream' },
      signal: abort.signal,
    });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const first: unknown = (await reader.read()).value;
    expect(Buffer.from(first as Uint8Array).toString()).toContain('data:');
    const open = await scrape();
    expect(sample(open, 'marketgate_live_feeds')).toBe(1);
    expect(sample(open, 'marketgate_live_subscribers')).toBe(1);
    abort.abort();
    await reader.cancel().catch(() => undefined);
    // the response ends when the server notices the closed socket: poll the scrape, bounded
    let closed = '';
    for (let i = 0; i < 200; i++) {
      closed = await scrape();
      if (
        sample(closed, 'marketgate_requests_total', { procedure: 'stream.ticker', transport: 'sse' }) !==
        undefined
      )
        break;
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(
      sample(closed, 'marketgate_requests_total', { procedure: 'stream.ticker', transport: 'sse' }),
    ).toBe(1);
  });

  it('counts subscriptions started over WebSocket, and refusals by reason', async () => {
    const client = createMarketClient({ url: t.url });
    await new Promise<void>((resolve, reject) => {
      const sub = client.stream.ticker.subscribe(
        { exchange: 'sim', symbol: 'XRP/USDT' },
        {
          onData: () => {
            sub.unsubscribe();
            resolve();
          },
          onError: reject,
        },
      );
    });
    await new Promise<void>((resolve) => {
      client.stream.ticker.subscribe({ exchange: 'sim', symbol: 'NOPE/USDT' }, { onError: () => resolve() });
    });
    const text = await (await fetch(`${t.url}/metrics`)).text();
    expect(
      sample(text, 'marketgate_requests_total', {
        procedure: 'stream.ticker',
        transport: 'ws',
        outcome: 'ok',
      }),
    ).toBe(1);
    expect(
      sample(text, 'marketgate_requests_total', {
        procedure: 'stream.ticker',
        transport: 'ws',
        outcome: 'UNKNOWN_SYMBOL',
      }),
    ).toBe(1);
  });
});
