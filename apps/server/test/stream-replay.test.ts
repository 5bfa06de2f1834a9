import { afterEach, describe, expect, it } from 'vitest';
import { createMarketClient } from '@marketgate/client';
import { createCcxtSource } from '@marketgate/market-core';
import type { Ticker, TickerStreamEvent } from '@marketgate/market-core';
import { Collector, startStreamServer } from './stream-helpers.js';
import type { StreamTestServer } from './stream-helpers.js';
import {
  binanceMarkets,
  binanceRest,
  binanceWsEntries,
  startWsReplay,
  wsFixturesAvailable,
} from './stream-replay-server.js';
import type { WsReplayServer } from './stream-replay-server.js';
import { tickerFields } from './replay/fixtures.js';

if (!wsFixturesAvailable)
  console.warn(
    'stream replay: ../shared/fixtures/ccxt-static/binance/ws.json not found; skipping the binance stream replay',
  );

type Tracked<T> = { id: string; data: T };

function pick(t: Record<string, unknown>) {
  return { symbol: t.symbol ?? null, ...tickerFields(t) };
}

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

/** The server with binance as real ccxt.pro pointed at the replay through MCP_UPSTREAM_PROXY_URL (markets preset). */
async function serverFor(replay: WsReplayServer, mode: 'watch' | 'auto'): Promise<StreamTestServer> {
  const t = await startStreamServer(
    { MCP_STREAM_MODE: mode, MCP_UPSTREAM_PROXY_URL: replay.url, MCP_EXCHANGES: 'binance,sim' },
    (id) =>
      id === 'binance'
        ? createCcxtSource('binance', { timeoutMs: 5_000, proxyUrl: replay.url, markets: binanceMarkets() })
        : undefined,
  );
  cleanup.push(() => t.close());
  return t;
}

/**
 * stream.ticker takes a symbol only: recordings made with extra watchTicker params (binance's
 * `{ name: 'ticker' }` channel choice) are not something a client of the contract can ask for.
 */
const contractTickerEntries = () => binanceWsEntries('watchTicker').filter((e) => e.input.length === 1);

describe.skipIf(!wsFixturesAvailable)('binance WebSocket stream replayed through ccxt.pro', () => {
  it('covers every recorded watchTicker the contract can express', () => {
    const all = binanceWsEntries('watchTicker');
    expect(contractTickerEntries().length).toBeGreaterThanOrEqual(3);
    expect(all.filter((e) => e.input.length > 1).map((e) => e.input[1])).toEqual([{ name: 'ticker' }]);
  });

  for (const entry of wsFixturesAvailable ? contractTickerEntries() : []) {
    it(`stream.ticker yields the recorded parsed tickers (${entry.description})`, async () => {
      const replay = await startWsReplay(entry);
      cleanup.push(() => replay.close());
      const t = await serverFor(replay, 'watch');
      const client = createMarketClient({ url: t.url });
      const events = new Collector<Tracked<TickerStreamEvent>>();
      const sub = client.stream.ticker.subscribe(
        { exchange: 'binance', symbol: entry.input[0] as string },
        { onData: events.push, onError: events.fail },
      );
      const tickers = () => events.items.flatMap((e) => (e.data.type === 'ticker' ? [e.data.ticker] : []));
      await events.until(() => tickers().length >= entry.parsedResponses.length);
      const stats = await client.system.stats.query();
      expect(stats.feeds.modes).toEqual({ [`ticker:binance:${entry.input[0] as string}`]: 'watch' });
      // ccxt sent exactly the recorded subscription, through the rewritten ws URL
      expect(replay.received.map(({ id: _id, ...rest }) => rest)).toEqual(
        entry.sentMessages.map(({ id: _id, ...rest }) => rest),
      );
      expect(replay.paths.some((p) => p.startsWith('WS /'))).toBe(true);
      const got = tickers().map((x: Ticker) => pick(x as unknown as Record<string, unknown>));
      expect(got).toEqual(entry.parsedResponses.map(pick));
      expect(tickers().every((x) => x.exchange === 'binance' && x.source === 'exchange')).toBe(true);
      sub.unsubscribe();
      // the last subscriber gone: the feed stops, unsubscribes upstream and closes ccxt's socket
      await t.server.deps.feeds.whenIdle();
      await replay.whenNoSockets();
      expect(replay.received.map((m) => m.method)).toEqual(['SUBSCRIBE', 'UNSUBSCRIBE']);
      expect((await client.system.stats.query()).feeds).toMatchObject({ active: 0, subscribers: 0 });
    });
  }

  it('falls back to polling when the replayed stream goes silent, and subscribers keep receiving', async () => {
    const entry = binanceWsEntries('watchTicker').find((e) => e.input[0] === 'BTC/USDT')!;
    // REST answer for the polling path (fetchTickers → /api/v3/ticker/24hr): the recorded 24 h ticker
    // row of fetchTicker (the recorded fetchTickers entry is the rolling-window format, parsed differently)
    const restTickers = [
      binanceRest('fetchTicker')[0]!.httpResponse as { symbol: string; lastPrice: string },
    ];
    const replay = await startWsReplay(entry, {
      '/api/v3/ticker/24hr': restTickers,
      '/api/v3/ticker': restTickers,
    });
    cleanup.push(() => replay.close());
    const t = await serverFor(replay, 'auto');
    const client = createMarketClient({ url: t.url });
    const events = new Collector<Tracked<TickerStreamEvent>>();
    const sub = client.stream.ticker.subscribe(
      { exchange: 'binance', symbol: 'BTC/USDT' },
      { onData: events.push, onError: events.fail },
    );
    const lasts = () => events.items.flatMap((e) => (e.data.type === 'ticker' ? [e.data.ticker.last] : []));
    const polledLast = Number(restTickers.find((r) => r.symbol === 'BTCUSDT')!.lastPrice);
    // two streamed tickers, then silence for 3 intervals, then the polled one
    await events.until(() => lasts().includes(polledLast), 15_000);
    expect(lasts().slice(0, 2)).toEqual(entry.parsedResponses.map((p) => p.last));
    const stats = await client.system.stats.query();
    expect(stats.feeds.modes).toEqual({ 'ticker:binance:BTC/USDT': 'poll' });
    expect(replay.paths.some((p) => p.startsWith('GET /api.binance.com/api/v3/ticker'))).toBe(true);
    expect(t.logLines.some((l) => String(l.msg).includes('falls back to polling'))).toBe(true);
    sub.unsubscribe();
  });
});
