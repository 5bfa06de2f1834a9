import { afterEach, describe, expect, it } from 'vitest';
import { MarketError } from '../src/errors.js';
import type { ExchangeSource, UpstreamTicker } from '../src/exchanges/source.js';
import { FeedHub } from '../src/feeds/hub.js';
import type { FeedSubscription } from '../src/feeds/subscription.js';
import type { CandleEvent, FeedUpdate, StreamMode, TickerEvent } from '../src/feeds/types.js';
import { MarketService } from '../src/service.js';
import { countingSource } from './helpers/counting-source.js';

const hubs: FeedHub[] = [];

function hubWith(
  source: ExchangeSource,
  mode: StreamMode,
  extra: { now?: () => number; watchRetryMs?: number; tickerTtlMs?: number } = {},
) {
  const service = new MarketService({
    retry: { retries: 0 },
    tickerTtlMs: extra.tickerTtlMs ?? 1,
    createSource: (id) => (id === 'binance' ? source : undefined),
    ...(extra.now ? { now: extra.now } : {}),
  });
  const hub = new FeedHub({
    service,
    mode,
    pollIntervalMs: 50,
    ...(extra.watchRetryMs ? { watchRetryMs: extra.watchRetryMs } : {}),
  });
  hubs.push(hub);
  return { hub, service };
}

afterEach(() => {
  for (const hub of hubs.splice(0)) hub.close();
});

async function take(sub: FeedSubscription, n: number, filter: (u: FeedUpdate) => boolean = () => true) {
  const out: FeedUpdate[] = [];
  while (out.length < n) {
    const { value, done } = await sub.next();
    if (done) throw new Error('subscription ended early');
    if (filter(value)) out.push(value);
  }
  return out;
}

const isTicker = (u: FeedUpdate) => u.event.type === 'ticker';
const tickerOf = (u: FeedUpdate) => (u.event as TickerEvent).ticker;

describe('FeedHub', () => {
  it('polls sim tickers: timestamps advance, and closing leaves no feed, poller or timer behind', async () => {
    const { hub } = hubWith(countingSource().source, 'poll');
    const sub = await hub.subscribeTicker({ exchange: 'binance', symbol: 'btc-usdt' });
    const [a, b] = await take(sub, 2, isTicker);
    expect(tickerOf(a!).symbol).toBe('BTC/USDT');
    expect(tickerOf(b!).timestamp!).toBeGreaterThan(tickerOf(a!).timestamp!);
    expect(hub.stats()).toEqual({ active: 1, subscribers: 1, modes: { 'ticker:binance:BTC/USDT': 'poll' } });
    sub.close();
    await hub.whenIdle();
    expect(hub.debugCounts()).toEqual({ feeds: 0, listeners: 0, pollers: 0, timers: 0 });
  });

  it('fans 200 subscribers of one key out from one upstream feed', async () => {
    const { source, calls } = countingSource();
    const { hub } = hubWith(source, 'poll');
    const subs = await Promise.all(
      Array.from({ length: 200 }, () => hub.subscribeTicker({ exchange: 'binance', symbol: 'BTC/USDT' })),
    );
    expect(hub.stats().active).toBe(1);
    expect(hub.stats().subscribers).toBe(200);
    const firsts = await Promise.all(subs.map((s) => take(s, 1, isTicker)));
    // every subscriber got the very same update object: serialised at most once
    expect(new Set(firsts.map(([u]) => u!.id)).size).toBe(1);
    expect(calls.fetchTickers).toBeLessThanOrEqual(2);
    for (const s of subs) s.close();
    await hub.whenIdle();
  });

  it('batches K polled symbols of one exchange into one fetchTickers per interval', async () => {
    const { source, calls } = countingSource();
    const { hub } = hubWith(source, 'poll');
    const symbols = ['BTC/USDT', 'ETH/USDT', 'SOL/USDT', 'XRP/USDT', 'DOGE/USDT'];
    const sub = await hub.subscribeTickers({ exchange: 'binance', symbols });
    const seen = new Set<string>();
    // three rounds of five symbols
    const updates = await take(sub, 15, isTicker);
    for (const u of updates) seen.add(tickerOf(u).symbol);
    expect([...seen].sort()).toEqual([...symbols].sort());
    expect(calls.fetchTicker ?? 0).toBe(0);
    // 15 ticker updates need about 3 polls; each poll is one call for all five symbols
    expect(calls.fetchTickers).toBeGreaterThanOrEqual(3);
    expect(calls.fetchTickers).toBeLessThanOrEqual(5);
    expect(hub.stats().active).toBe(5);
    sub.close();
    await hub.whenIdle();
  });

  it('pushes only changes: the same timestamp and last are not sent again', async () => {
    const fixed: UpstreamTicker = { symbol: 'BTC/USDT', timestamp: 1_000, last: 5 };
    let polls = 0;
    const { source } = countingSource({
      fetchTickers: () => {
        polls++;
        return Promise.resolve({ 'BTC/USDT': polls < 4 ? fixed : { ...fixed, timestamp: 2_000, last: 6 } });
      },
    });
    const { hub } = hubWith(source, 'poll');
    const sub = await hub.subscribeTicker({ exchange: 'binance', symbol: 'BTC/USDT' });
    const [a, b] = await take(sub, 2, isTicker);
    expect(tickerOf(a!).last).toBe(5);
    expect(tickerOf(b!).last).toBe(6);
    expect(polls).toBeGreaterThanOrEqual(4);
    sub.close();
  });

  it('keeps only the newest value for a subscriber that falls behind', async () => {
    const { hub } = hubWith(countingSource().source, 'poll');
    const slow = await hub.subscribeTicker({ exchange: 'binance', symbol: 'BTC/USDT' });
    const fast = await hub.subscribeTicker({ exchange: 'binance', symbol: 'BTC/USDT' });
    const seen = await take(fast, 5, isTicker);
    expect(slow.backlog).toBe(1);
    expect(slow.skipped).toBeGreaterThanOrEqual(3);
    const [newest] = await take(slow, 1);
    expect(newest!.id).toBe(seen.at(-1)!.id);
    slow.close();
    fast.close();
  });

  it('tells subscribers the feed is stale on retryable errors, retries with backoff, then goes live again', async () => {
    let failing = true;
    const { source, sim } = countingSource();
    source.fetchTickers = (symbols) =>
      failing
        ? Promise.reject(new MarketError('UPSTREAM_UNAVAILABLE', 'testex is down'))
        : sim.fetchTickers(symbols);
    const { hub } = hubWith(source, 'poll');
    const sub = await hub.subscribeTicker({ exchange: 'binance', symbol: 'BTC/USDT' });
    const [stale] = await take(sub, 1);
    expect(stale!.event).toMatchObject({ type: 'status', state: 'stale', reason: 'UPSTREAM_UNAVAILABLE' });
    expect((stale!.event as { retryInMs: number }).retryInMs).toBeGreaterThan(0);
    failing = false;
    const [live, data] = await take(sub, 2);
    expect(live!.event).toMatchObject({ type: 'status', state: 'live' });
    expect(data!.event.type).toBe('ticker');
    sub.close();
  });

  it('ends subscriptions with the contract reason on fatal errors', async () => {
    const { source } = countingSource();
    const { hub } = hubWith(source, 'poll');
    await expect(hub.subscribeTicker({ exchange: 'binance', symbol: 'NOPE/USDT' })).rejects.toMatchObject({
      reason: 'UNKNOWN_SYMBOL',
    });
    await expect(
      hub.subscribeOhlcv({ exchange: 'binance', symbol: 'BTC/USDT', timeframe: '7m' }),
    ).rejects.toMatchObject({ reason: 'NOT_SUPPORTED' });
    await expect(hub.subscribeTicker({ exchange: 'nope', symbol: 'BTC/USDT' })).rejects.toMatchObject({
      reason: 'UNKNOWN_EXCHANGE',
    });
    source.fetchOrderBook = () => Promise.reject(new MarketError('NOT_SUPPORTED', 'no books today'));
    const sub = await hub.subscribeOrderBook({ exchange: 'binance', symbol: 'BTC/USDT', depth: 5 });
    await expect(sub.next()).rejects.toMatchObject({ reason: 'NOT_SUPPORTED' });
    await hub.whenIdle();
    expect(hub.debugCounts().feeds).toBe(0);
  });

  it('watches where the exchange streams (auto) and falls back to polling when the stream goes silent', async () => {
    let streamed = 0;
    const { source, sim, calls } = countingSource();
    const silence = new Promise<never>(() => undefined);
    (source as { watch: ExchangeSource['watch'] }).watch = {
      ticker: (symbol) => (++streamed <= 2 ? sim.fetchTicker(symbol) : silence),
    };
    const { hub } = hubWith(source, 'auto', { watchRetryMs: 60_000 });
    const sub = await hub.subscribeTicker({ exchange: 'binance', symbol: 'BTC/USDT' });
    await take(sub, 1, isTicker);
    expect(hub.stats().modes['ticker:binance:BTC/USDT']).toBe('watch');
    // silent for 3 intervals → polling; updates keep coming
    const polled = await take(sub, 3, isTicker);
    expect(polled).toHaveLength(3);
    expect(hub.stats().modes['ticker:binance:BTC/USDT']).toBe('poll');
    expect(calls.fetchTickers).toBeGreaterThanOrEqual(1);
    sub.close();
  });

  it('falls back to polling when the stream errors and returns to the stream later', async () => {
    let attempts = 0;
    const { source, sim } = countingSource();
    (source as { watch: ExchangeSource['watch'] }).watch = {
      ticker: (symbol) =>
        ++attempts === 1 ? Promise.reject(new Error('socket closed')) : sim.fetchTicker(symbol),
    };
    const { hub } = hubWith(source, 'auto', { watchRetryMs: 200 });
    const sub = await hub.subscribeTicker({ exchange: 'binance', symbol: 'BTC/USDT' });
    await take(sub, 1, isTicker);
    expect(hub.stats().modes['ticker:binance:BTC/USDT']).toBe('poll');
    // the retry after 200 ms succeeds: back to streaming
    while (hub.stats().modes['ticker:binance:BTC/USDT'] !== 'watch') await take(sub, 1);
    expect(attempts).toBeGreaterThanOrEqual(2);
    sub.close();
  });

  it('streams ohlcv: the forming candle on change, then the candle once more as closed, equal to history', async () => {
    let clock = Date.UTC(2026, 0, 5, 10, 0, 58, 0);
    const now = () => clock;
    const { source } = countingSource({}, now);
    const { hub, service } = hubWith(source, 'poll', { now });
    const sub = await hub.subscribeOhlcv({ exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1m' });
    const [first] = await take(sub, 1);
    const forming = first!.event as CandleEvent;
    expect(forming).toMatchObject({ type: 'candle', closed: false, timeframe: '1m' });
    expect(forming.candle[0]).toBe(Date.UTC(2026, 0, 5, 10, 0));
    clock += 5_000; // into the next minute
    const [closed, next] = await take(sub, 2);
    const closedEvent = closed!.event as CandleEvent;
    expect(closedEvent.closed).toBe(true);
    expect(closed!.sticky).toBe(true);
    expect(closedEvent.candle[0]).toBe(forming.candle[0]);
    const history = await service.ohlcv({
      exchange: 'binance',
      symbol: 'BTC/USDT',
      since: forming.candle[0],
      limit: 1,
    });
    expect(closedEvent.candle).toEqual(history.candles[0]);
    expect((next!.event as CandleEvent).closed).toBe(false);
    expect((next!.event as CandleEvent).candle[0]).toBe(Date.UTC(2026, 0, 5, 10, 1));
    sub.close();
  });

  it('streams sim order books in watch mode', async () => {
    const { hub } = hubWith(countingSource().source, 'watch');
    const sub = await hub.subscribeOrderBook({ exchange: 'binance', symbol: 'ETH/USDT', depth: 3 });
    const [u] = await take(sub, 1);
    expect(u!.event).toMatchObject({ type: 'orderBook', book: { symbol: 'ETH/USDT' } });
    const book = (u!.event as { book: { bids: unknown[]; asks: unknown[] } }).book;
    expect(book.bids).toHaveLength(3);
    expect(book.asks).toHaveLength(3);
    expect(hub.stats().modes['orderBook:binance:ETH/USDT:3']).toBe('watch');
    sub.close();
  });

  it('survives 10,000 subscribe/unsubscribe cycles with nothing left behind', async () => {
    const { source } = countingSource();
    const { hub } = hubWith(source, 'poll', { tickerTtlMs: 2_000 });
    for (let i = 0; i < 10_000; i++) {
      const ac = new AbortController();
      const sub = await hub.subscribeTicker(
        { exchange: 'binance', symbol: i % 2 ? 'BTC/USDT' : 'ETH/USDT' },
        ac.signal,
      );
      if (i % 3 === 0) ac.abort();
      else sub.close();
    }
    await hub.whenIdle();
    expect(hub.debugCounts()).toEqual({ feeds: 0, listeners: 0, pollers: 0, timers: 0 });
    expect(hub.stats()).toEqual({ active: 0, subscribers: 0, modes: {} });
  });
});
