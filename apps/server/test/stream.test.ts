import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createMarketClient, marketErrorOf } from '@marketgate/client';
import type { MarketClient } from '@marketgate/client';
import type { TickerStreamEvent } from '@marketgate/market-core';
import { Collector, startStreamServer } from './stream-helpers.js';
import type { StreamTestServer } from './stream-helpers.js';

type Tracked<T> = { id: string; data: T };

function tickersOf(events: Tracked<TickerStreamEvent>[]) {
  return events.flatMap((e) => (e.data.type === 'ticker' ? [e.data.ticker] : []));
}

/** Waits until the hub has no feed, poller or timer left. */
async function drained(t: StreamTestServer) {
  await t.server.deps.feeds.whenIdle();
  expect(t.server.deps.feeds.debugCounts()).toEqual({ feeds: 0, listeners: 0, pollers: 0, timers: 0 });
}

describe.each(['ws', 'sse'] as const)('stream.* over %s', (transport) => {
  let t: StreamTestServer;
  let client: MarketClient;

  beforeAll(async () => {
    // sim polled every 100 ms (the ticker cache must not outlive one interval for a fast stream)
    t = await startStreamServer({
      MCP_STREAM_MODE: 'poll',
      MCP_POLL_INTERVAL_MS: '100',
      MCP_TICKER_CACHE_TTL: '0.05',
    });
    client = createMarketClient({ url: t.url, transport });
  });
  afterAll(async () => {
    await t.close();
  });

  it('streams sim tickers with advancing timestamps; unsubscribing leaves nothing behind', async () => {
    const events = new Collector<Tracked<TickerStreamEvent>>();
    const sub = client.stream.ticker.subscribe(
      { exchange: 'sim', symbol: 'btc-usdt' },
      { onData: events.push, onError: events.fail },
    );
    await events.until(() => tickersOf(events.items).length >= 3);
    const tickers = tickersOf(events.items);
    expect(tickers[0]!.symbol).toBe('BTC/USDT');
    expect(tickers[0]!.source).toBe('simulated');
    expect(tickers[2]!.timestamp!).toBeGreaterThan(tickers[0]!.timestamp!);
    expect(typeof events.items[0]!.id).toBe('string');
    const stats = await client.system.stats.query();
    expect(stats.feeds).toMatchObject({
      active: 1,
      subscribers: 1,
      modes: { 'ticker:sim:BTC/USDT': 'poll' },
    });
    sub.unsubscribe();
    await drained(t);
    expect((await client.system.stats.query()).feeds).toMatchObject({ active: 0, subscribers: 0 });
  });

  it('streams several tickers, candles and order books', async () => {
    const tickers = new Collector<Tracked<TickerStreamEvent>>();
    const candles = new Collector<Tracked<{ type: string; closed?: boolean }>>();
    const books = new Collector<Tracked<{ type: string; book?: { bids: unknown[] } }>>();
    const subs = [
      client.stream.tickers.subscribe(
        { exchange: 'sim', symbols: ['BTC/USDT', 'ETH/USDT'] },
        { onData: tickers.push, onError: tickers.fail },
      ),
      client.stream.ohlcv.subscribe(
        { exchange: 'sim', symbol: 'ETH/USDT', timeframe: '1m' },
        { onData: candles.push, onError: candles.fail },
      ),
      client.stream.orderBook.subscribe(
        { exchange: 'sim', symbol: 'SOL/USDT', depth: 5 },
        { onData: books.push, onError: books.fail },
      ),
    ];
    await tickers.until(() => new Set(tickersOf(tickers.items).map((x) => x.symbol)).size === 2);
    await candles.count(1);
    expect(candles.items[0]!.data).toMatchObject({ type: 'candle', closed: false, timeframe: '1m' });
    await books.count(1);
    expect(books.items[0]!.data.book!.bids).toHaveLength(5);
    for (const s of subs) s.unsubscribe();
    await drained(t);
  });

  it('ends a subscription to an unknown symbol with UNKNOWN_SYMBOL', async () => {
    const events = new Collector<unknown>();
    const sub = client.stream.ticker.subscribe(
      { exchange: 'sim', symbol: 'NOPE/USDT' },
      { onData: events.push, onError: events.fail },
    );
    await events.errored();
    expect(marketErrorOf(events.error)).toMatchObject({ reason: 'UNKNOWN_SYMBOL', retryable: false });
    sub.unsubscribe();
  });
});

describe('stream over WebSocket: limits and shutdown', () => {
  it('fans 200 subscribers of one key out from one upstream feed, and caps a connection at 200', async () => {
    const t = await startStreamServer({ MCP_STREAM_MODE: 'poll', MCP_POLL_INTERVAL_MS: '100' });
    // RATE_LIMITED is retryable: a default client would resubscribe with backoff until a slot frees up
    const client = createMarketClient({ url: t.url, maxStreamRetries: 0 });
    const events = new Collector<unknown>();
    const subs = Array.from({ length: 200 }, () =>
      client.stream.ticker.subscribe({ exchange: 'sim', symbol: 'ETH/USDT' }, { onData: events.push }),
    );
    await events.count(200);
    const stats = await client.system.stats.query();
    expect(stats.feeds).toMatchObject({ active: 1, subscribers: 200 });
    expect(stats.feeds.modes).toEqual({ 'ticker:sim:ETH/USDT': 'poll' });
    const extra = new Collector<unknown>();
    const over = client.stream.ticker.subscribe(
      { exchange: 'sim', symbol: 'ETH/USDT' },
      { onData: extra.push, onError: extra.fail },
    );
    await extra.errored();
    expect(marketErrorOf(extra.error)).toMatchObject({ reason: 'RATE_LIMITED' });
    expect(marketErrorOf(extra.error)!.message).toMatch(/200 subscriptions/);
    over.unsubscribe();
    for (const s of subs) s.unsubscribe();
    await drained(t);
    await t.close();
  });

  it('rate-limits subscriptions at start like queries', async () => {
    const t = await startStreamServer({
      MCP_RATE_LIMIT_REQUESTS: '2',
      MCP_STREAM_MODE: 'poll',
      MCP_POLL_INTERVAL_MS: '100',
    });
    for (const transport of ['ws', 'sse'] as const) {
      const client = createMarketClient({ url: t.url, transport, maxStreamRetries: 0 });
      const results = await Promise.all(
        [0, 1].map(() => {
          const c = new Collector<unknown>();
          const sub = client.stream.ticker.subscribe(
            { exchange: 'sim', symbol: 'BTC/USDT' },
            { onData: c.push, onError: c.fail },
          );
          return c
            .until(() => c.items.length > 0 || c.error !== undefined)
            .then(() => {
              sub.unsubscribe();
              return c;
            });
        }),
      );
      // the budget of 2 is spent after the first two calls of the first transport
      const limited = results.filter((c) => marketErrorOf(c.error)?.reason === 'RATE_LIMITED');
      expect(limited.length).toBe(transport === 'ws' ? 0 : 2);
    }
    await t.close();
  });

  it('speaks the tRPC ws protocol to a plain WebSocket client, and sends the reconnect notification on close', async () => {
    const t = await startStreamServer({ MCP_STREAM_MODE: 'poll', MCP_POLL_INTERVAL_MS: '100' });
    const ws = new WebSocket(`${t.url.replace('http', 'ws')}/trpc`);
    const frames = new Collector<Record<string, unknown>>();
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    ws.on('message', (data: Buffer, isBinary) => {
      expect(isBinary).toBe(false);
      frames.push(JSON.parse(data.toString()) as Record<string, unknown>);
    });
    await new Promise((resolve) => ws.once('open', resolve));
    ws.send(
      JSON.stringify({
        id: 7,
        method: 'subscription',
        params: { path: 'stream.ticker', input: { exchange: 'sim', symbol: 'XRP/USDT' } },
      }),
    );
    await frames.count(3);
    expect(frames.items[0]).toEqual({ id: 7, result: { type: 'started' } });
    const data = frames.items[1] as {
      id: number;
      result: { type: string; id: string; data: { id: string; data: TickerStreamEvent } };
    };
    expect(data.id).toBe(7);
    expect(data.result.type).toBe('data');
    expect(data.result.data.id).toBe(data.result.id);
    expect(data.result.data.data).toMatchObject({
      type: 'ticker',
      ticker: { symbol: 'XRP/USDT', exchange: 'sim' },
    });
    // a query on the same socket still goes to tRPC's own handler
    ws.send(JSON.stringify({ id: 8, method: 'query', params: { path: 'system.health', input: null } }));
    await frames.until(() => frames.items.some((f) => f.id === 8));
    expect(frames.items.find((f) => f.id === 8)).toMatchObject({
      result: { type: 'data', data: { status: 'ok' } },
    });
    const closing = t.close();
    const code = await closed;
    await closing;
    expect(frames.items.some((f) => f.id === null && f.method === 'reconnect')).toBe(true);
    const reconnectAt = frames.items.findIndex((f) => f.method === 'reconnect');
    expect(reconnectAt).toBeGreaterThan(0);
    expect(code).toBe(1012);
  });

  it('answers keepalive PINGs and closes a consumer whose unsent data passes the cap, with a clear code and a log line', async () => {
    const t = await startStreamServer(
      { MCP_STREAM_MODE: 'poll', MCP_POLL_INTERVAL_MS: '100', MCP_TICKER_CACHE_TTL: '0.05' },
      undefined,
      { streaming: { maxBufferedBytes: 64 * 1024 } },
    );
    const client = createMarketClient({ url: t.url });
    const symbols = (await client.exchanges.markets.query({ exchange: 'sim' }))
      .map((m) => m.symbol)
      .slice(0, 20);
    const ws = new WebSocket(`${t.url.replace('http', 'ws')}/trpc`);
    const frames = new Collector<string>();
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    ws.on('message', (data: Buffer) => frames.push(data.toString()));
    await new Promise((resolve) => ws.once('open', resolve));
    ws.send('PING');
    await frames.until(() => frames.items.includes('PONG'));
    // 20 deep books ten times a second, and a client that stops reading
    symbols.forEach((symbol, i) =>
      ws.send(
        JSON.stringify({
          id: i + 1,
          method: 'subscription',
          params: { path: 'stream.orderBook', input: { exchange: 'sim', symbol, depth: 500 } },
        }),
      ),
    );
    await frames.until(() => frames.items.some((f) => f.includes('"orderBook"')));
    const socket = (ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    socket.pause();
    await t.logs.until(
      () => t.logLines.some((l) => String(l.msg).includes('slow WebSocket consumer')),
      20_000,
    );
    socket.resume();
    const { code, reason } = await closed;
    expect(code).toBe(4008);
    expect(reason).toMatch(/slow consumer/);
    const line = t.logLines.find((l) => String(l.msg).includes('slow WebSocket consumer'))!;
    expect(line).toMatchObject({ level: 40, code: 4008, capBytes: 64 * 1024 });
    await drained(t);
    await t.close();
  });
});

describe('typed client reconnection', () => {
  it.each(['ws', 'sse'] as const)(
    'resubscribes over %s with backoff after the server restarts, and keeps streaming',
    async (transport) => {
      const env = { MCP_STREAM_MODE: 'poll', MCP_POLL_INTERVAL_MS: '100', MCP_TICKER_CACHE_TTL: '0.05' };
      const first = await startStreamServer(env);
      const port = new URL(first.url).port;
      const client = createMarketClient({ url: first.url, transport, retryDelayMs: () => 100 });
      const events = new Collector<Tracked<TickerStreamEvent>>();
      const sub = client.stream.ticker.subscribe(
        { exchange: 'sim', symbol: 'DOGE/USDT' },
        { onData: events.push, onError: events.fail },
      );
      await events.count(1);
      await first.close();
      const second = await startStreamServer({ ...env, MCP_PORT: port });
      // the same subscription receives data from the new server
      await events.until(
        () => second.server.deps.feeds.stats().subscribers === 1 && events.items.length >= 2,
        15_000,
      );
      const before = events.items.length;
      await events.count(before + 2, 10_000);
      expect(events.error).toBeUndefined();
      sub.unsubscribe();
      await drained(second);
      await second.close();
    },
  );
});

describe('churn over the WebSocket', () => {
  it('10,000 subscribe/unsubscribe cycles through the typed client leave no feed, subscriber or timer', async () => {
    const t = await startStreamServer({ MCP_STREAM_MODE: 'poll', MCP_POLL_INTERVAL_MS: '100' });
    const client = createMarketClient({ url: t.url });
    // one long-lived subscription keeps the socket open; the rest come and go
    const keep = new Collector<unknown>();
    const anchor = client.stream.ticker.subscribe(
      { exchange: 'sim', symbol: 'BTC/USDT' },
      { onData: keep.push },
    );
    await keep.count(1);
    const symbols = ['ETH/USDT', 'SOL/USDT', 'XRP/USDT'];
    // 100 rounds of 100: each subscription is started by the server (onStarted) before it is stopped
    let started = 0;
    for (let round = 0; round < 100; round++) {
      const subs = await Promise.all(
        Array.from(
          { length: 100 },
          (_, k) =>
            new Promise<{ unsubscribe(): void }>((resolve, reject) => {
              const sub = client.stream.ticker.subscribe(
                { exchange: 'sim', symbol: symbols[(round + k) % 3]! },
                {
                  onStarted: () => {
                    started++;
                    resolve(sub);
                  },
                  onError: reject,
                },
              );
            }),
        ),
      );
      for (const sub of subs) sub.unsubscribe();
    }
    expect(started).toBe(10_000);
    anchor.unsubscribe();
    await t.server.deps.feeds.whenIdle();
    await drained(t);
    expect((await client.system.stats.query()).feeds).toMatchObject({ active: 0, subscribers: 0, modes: {} });
    await t.close();
  });
});
