import { afterEach, describe, expect, it, vi } from 'vitest';
import { MarketError } from '../src/errors.js';
import { SIM_MARKETS, SIM_TIMEFRAMES, createSimExchange, simPrice } from '../src/exchanges/sim/index.js';
import type { UpstreamCandle } from '../src/exchanges/source.js';
import { candleStart, nextCandleStart } from '../src/symbols.js';

/** A Wednesday afternoon, mid-second, so alignment bugs show. */
const NOW = Date.UTC(2024, 4, 15, 13, 37, 42, 123);
const MINUTE = 60_000;
const fixed = (t: number) => createSimExchange({ now: () => t });

type Row = [number, number, number, number, number, number];

/** Candles are number tuples for the sim; narrows the ccxt-shaped type once. */
function rows(candles: UpstreamCandle[]): Row[] {
  return candles.map((c) => {
    expect(c).toHaveLength(6);
    for (const v of c) expect(Number.isFinite(v)).toBe(true);
    return c as Row;
  });
}

async function reasonOf(promise: Promise<unknown>): Promise<string> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MarketError);
  return (error as MarketError).reason;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('sim exchange', () => {
  it('describes itself as a simulated exchange with every capability and timeframe', () => {
    const sim = createSimExchange();
    expect(sim.id).toBe('sim');
    expect(sim.simulated).toBe(true);
    expect(sim.nativeTickers).toBe(true);
    expect(sim.ohlcvPageLimit).toBe(1000);
    expect(sim.minPollIntervalMs).toBe(100);
    expect(Object.values(sim.capabilities).every(Boolean)).toBe(true);
    expect([...sim.timeframes]).toEqual([
      '1m',
      '3m',
      '5m',
      '15m',
      '30m',
      '1h',
      '2h',
      '4h',
      '6h',
      '8h',
      '12h',
      '1d',
      '3d',
      '1w',
      '1M',
    ]);
    expect(sim.watch?.ticker && sim.watch.tickers && sim.watch.ohlcv && sim.watch.orderBook).toBeTruthy();
  });

  it('lists about thirty spot markets keyed by unified symbol, with separator-less ids', async () => {
    const markets = await fixed(NOW).loadMarkets();
    const symbols = Object.keys(markets);
    expect(symbols.length).toBeGreaterThanOrEqual(25);
    expect(symbols).toEqual(
      expect.arrayContaining([
        'BTC/USDT',
        'ETH/USDT',
        'SOL/USDT',
        'XRP/USDT',
        'DOGE/USDT',
        'ETH/BTC',
        'BTC/USDC',
      ]),
    );
    for (const [symbol, m] of Object.entries(markets)) {
      expect(m.symbol).toBe(symbol);
      expect(`${m.base}/${m.quote}`).toBe(symbol);
      expect(m.id).toBe(`${m.base}${m.quote}`);
      expect(m.type).toBe('spot');
      expect(m.active).toBe(true);
    }
    expect(new Set(symbols.map((s) => markets[s]!.id)).size).toBe(symbols.length);
  });

  it('is deterministic: same clock, same answers across instances; another time, other prices', async () => {
    const a = fixed(NOW);
    const b = fixed(NOW);
    for (const symbol of ['BTC/USDT', 'ETH/BTC', 'SHIB/USDT']) {
      expect(await a.fetchTicker(symbol)).toEqual(await b.fetchTicker(symbol));
      expect(await a.fetchOHLCV(symbol, '1h', undefined, 50)).toEqual(
        await b.fetchOHLCV(symbol, '1h', undefined, 50),
      );
      expect(await a.fetchOrderBook(symbol, 20)).toEqual(await b.fetchOrderBook(symbol, 20));
      expect(await a.fetchTrades(symbol, 50)).toEqual(await b.fetchTrades(symbol, 50));
    }
    const later = await fixed(NOW + MINUTE).fetchTicker('BTC/USDT');
    const now = await a.fetchTicker('BTC/USDT');
    expect(later.last).not.toBe(now.last);
    expect(later.timestamp).toBe(NOW + MINUTE);
    // history does not depend on when it is asked for
    const early = rows(await fixed(NOW).fetchOHLCV('BTC/USDT', '1m', NOW - 100 * MINUTE, 50));
    const late = rows(
      await fixed(NOW + 30 * 86_400_000).fetchOHLCV('BTC/USDT', '1m', NOW - 100 * MINUTE, 50),
    );
    expect(late).toEqual(early);
  });

  it("matches history and live: the forming candle's close is the ticker's last", async () => {
    const sim = fixed(NOW);
    for (const symbol of ['BTC/USDT', 'ETH/BTC', 'PEPE/USDT', 'USDC/USDT']) {
      const ticker = await sim.fetchTicker(symbol);
      expect(ticker.last).toBe(simPrice(symbol, NOW));
      expect(ticker.close).toBe(ticker.last);
      for (const tf of ['1m', '1h', '1d', '1M']) {
        const last = rows(await sim.fetchOHLCV(symbol, tf, undefined, 3)).at(-1)!;
        expect(last[0]).toBe(candleStart(NOW, tf));
        expect(last[4]).toBe(ticker.last);
        expect(last[1]).toBe(simPrice(symbol, last[0]));
      }
    }
  });

  it('keeps OHLC bounds, alignment and contiguity for every timeframe', async () => {
    const sim = fixed(NOW);
    for (const symbol of ['BTC/USDT', 'DOGE/USDT', 'ETH/BTC', 'SHIB/USDT']) {
      for (const tf of SIM_TIMEFRAMES) {
        const candles = rows(await sim.fetchOHLCV(symbol, tf, undefined, 120));
        expect(candles).toHaveLength(120);
        candles.forEach(([t, o, h, l, c, v], i) => {
          expect(t).toBe(candleStart(t, tf));
          expect(h).toBeGreaterThanOrEqual(Math.max(o, c));
          expect(l).toBeLessThanOrEqual(Math.min(o, c));
          expect(l).toBeGreaterThan(0);
          expect(v).toBeGreaterThan(0);
          const next = candles[i + 1];
          if (next) {
            expect(next[0]).toBe(nextCandleStart(t, tf));
            expect(next[1]).toBe(c); // a completed candle closes where the next opens
          }
        });
        expect(candles.at(-1)![0]).toBeLessThanOrEqual(NOW);
        if (tf === '1w') for (const [t] of candles) expect(new Date(t).getUTCDay()).toBe(1);
        if (tf === '1M') for (const [t] of candles) expect(new Date(t).getUTCDate()).toBe(1);
      }
    }
  });

  it('scales candle volume with the timeframe and grows the forming candle', async () => {
    const sim = fixed(NOW);
    const mean = (cs: Row[]) => cs.slice(0, -1).reduce((s, c) => s + c[5], 0) / (cs.length - 1);
    const m1 = mean(rows(await sim.fetchOHLCV('BTC/USDT', '1m', undefined, 200)));
    const h1 = mean(rows(await sim.fetchOHLCV('BTC/USDT', '1h', undefined, 200)));
    expect(h1 / m1).toBeGreaterThan(30);
    expect(h1 / m1).toBeLessThan(120);
    const start = candleStart(NOW, '1h');
    const early = rows(await fixed(start + 5 * MINUTE).fetchOHLCV('BTC/USDT', '1h', start, 1))[0]!;
    const late = rows(await fixed(start + 50 * MINUTE).fetchOHLCV('BTC/USDT', '1h', start, 1))[0]!;
    expect(late[5]).toBeGreaterThan(early[5]);
    expect(late[1]).toBe(early[1]);
  });

  it('pages from since: first candle at candleStart(since), at most 1000, nothing in the future', async () => {
    const sim = fixed(NOW);
    const since = NOW - 3000 * MINUTE + 17_000;
    const page = rows(await sim.fetchOHLCV('BTC/USDT', '1m', since, 5000));
    expect(page).toHaveLength(1000);
    expect(page[0]![0]).toBe(candleStart(since, '1m'));
    const next = rows(await sim.fetchOHLCV('BTC/USDT', '1m', page.at(-1)![0] + 1, 1000));
    expect(next[0]![0]).toBe(page.at(-1)![0]);
    expect(next[0]).toEqual(page.at(-1));

    const recent = rows(await sim.fetchOHLCV('BTC/USDT', '1m', NOW - 10 * MINUTE, 1000));
    expect(recent).toHaveLength(11);
    expect(recent.at(-1)![0]).toBe(candleStart(NOW, '1m'));

    expect(await sim.fetchOHLCV('BTC/USDT', '1m', NOW + 2 * MINUTE, 100)).toEqual([]);
    expect(rows(await sim.fetchOHLCV('BTC/USDT', '1h', since, 7))).toHaveLength(7);
    expect(await sim.fetchOHLCV('BTC/USDT', '1m', undefined, 5000)).toHaveLength(1000);

    const monthly = rows(await sim.fetchOHLCV('ETH/USDT', '1M', Date.UTC(2023, 1, 14, 5), 1000));
    expect(monthly[0]![0]).toBe(Date.UTC(2023, 1, 1));
    expect(monthly.at(-1)![0]).toBe(Date.UTC(2024, 4, 1));
    expect(monthly).toHaveLength(16);
  });

  it('quotes a consistent ticker: bid < last < ask from the book, 24 h range and change', async () => {
    const sim = fixed(NOW);
    const tickers = await sim.fetchTickers([]);
    expect(Object.keys(tickers)).toHaveLength(SIM_MARKETS.length);
    for (const [symbol, t] of Object.entries(tickers)) {
      const book = await sim.fetchOrderBook(symbol, 5);
      const { last, bid, ask, open, high, low, change, percentage, vwap, baseVolume, quoteVolume } =
        t as Required<typeof t>;
      expect(t.symbol).toBe(symbol);
      expect(t.timestamp).toBe(NOW);
      expect(bid).toBeLessThan(last);
      expect(ask).toBeGreaterThan(last);
      expect(bid).toBe(book.bids[0]![0]);
      expect(ask).toBe(book.asks[0]![0]);
      expect((ask - bid) / last).toBeLessThan(0.001); // a few basis points
      expect(open).toBe(simPrice(symbol, NOW - 86_400_000));
      expect(high).toBeGreaterThanOrEqual(Math.max(open, last));
      expect(low).toBeLessThanOrEqual(Math.min(open, last));
      expect(vwap).toBeGreaterThanOrEqual(low);
      expect(vwap).toBeLessThanOrEqual(high);
      expect(Math.abs(change - (last - open))).toBeLessThan(last * 1e-12); // exact up to float noise
      expect(percentage).toBeCloseTo(((last - open) / open) * 100, 9);
      expect(baseVolume).toBeGreaterThan(0);
      expect(quoteVolume / baseVolume).toBeCloseTo(vwap, 4);
    }
    const some = await sim.fetchTickers(['ETH/USDT', 'BTC/USDT']);
    expect(Object.keys(some).sort()).toEqual(['BTC/USDT', 'ETH/USDT']);
    expect(some['BTC/USDT']).toEqual(tickers['BTC/USDT']);
  });

  it('serves a sorted order book with `limit` positive levels a side', async () => {
    for (const symbol of ['BTC/USDT', 'SHIB/USDT', 'LTC/BTC']) {
      const book = await fixed(NOW).fetchOrderBook(symbol, 25);
      expect(book.timestamp).toBe(NOW);
      expect(book.bids).toHaveLength(25);
      expect(book.asks).toHaveLength(25);
      const bids = book.bids as [number, number][];
      const asks = book.asks as [number, number][];
      bids.slice(1).forEach(([p], i) => expect(p).toBeLessThan(bids[i]![0]));
      asks.slice(1).forEach(([p], i) => expect(p).toBeGreaterThan(asks[i]![0]));
      expect(bids[0]![0]).toBeLessThan(asks[0]![0]);
      for (const [p, a] of [...bids, ...asks]) {
        expect(p).toBeGreaterThan(0);
        expect(a).toBeGreaterThan(0);
      }
    }
    // amounts are fixed within a second and move on with the next one
    const a = await fixed(NOW).fetchOrderBook('ETH/USDT', 10);
    const b = await fixed(NOW + 500).fetchOrderBook('ETH/USDT', 10);
    const c = await fixed(NOW + 1000).fetchOrderBook('ETH/USDT', 10);
    expect(b.bids.map((l) => l[1])).toEqual(a.bids.map((l) => l[1]));
    expect(c.bids.map((l) => l[1])).not.toEqual(a.bids.map((l) => l[1]));
  });

  it('returns recent trades oldest first, none after now, near p(t)', async () => {
    const trades = await fixed(NOW).fetchTrades('BTC/USDT', 100);
    expect(trades).toHaveLength(100);
    expect(new Set(trades.map((t) => t.id)).size).toBe(100);
    trades.forEach((t, i) => {
      const ts = t.timestamp!;
      expect(ts).toBeLessThanOrEqual(NOW);
      if (i > 0) expect(ts).toBeGreaterThanOrEqual(trades[i - 1]!.timestamp!);
      expect(['buy', 'sell']).toContain(t.side);
      expect(Math.abs(t.price / simPrice('BTC/USDT', ts) - 1)).toBeLessThan(0.001);
      expect(t.amount).toBeGreaterThan(0);
      expect(t.cost).toBeCloseTo(t.price * t.amount!, 9);
    });
    expect(trades.at(-1)!.timestamp).toBeGreaterThan(NOW - 5_000);
    // the same trades are still there a little later
    const later = await fixed(NOW + 3_000).fetchTrades('BTC/USDT', 100);
    expect(later).toEqual(expect.arrayContaining(trades.slice(-50)));
  });

  it('prices markets at realistic levels', async () => {
    const t = await fixed(NOW).fetchTickers([
      'BTC/USDT',
      'ETH/USDT',
      'XRP/USDT',
      'DOGE/USDT',
      'SHIB/USDT',
      'ETH/BTC',
    ]);
    expect(t['BTC/USDT']!.last).toBeGreaterThan(10_000);
    expect(t['BTC/USDT']!.last).toBeLessThan(200_000);
    expect(t['ETH/USDT']!.last).toBeGreaterThan(500);
    expect(t['ETH/USDT']!.last).toBeLessThan(20_000);
    expect(t['DOGE/USDT']!.last).toBeLessThan(1);
    expect(t['SHIB/USDT']!.last).toBeLessThan(0.001);
    expect(t['ETH/BTC']!.last).toBeCloseTo(t['ETH/USDT']!.last! / t['BTC/USDT']!.last!, 3);
    // and stay there over years of history
    for (let at = Date.UTC(2018, 0, 1); at < Date.UTC(2032, 0, 1); at += 86_400_000 + 3_333_333) {
      const btc = simPrice('BTC/USDT', at);
      expect(btc).toBeGreaterThan(10_000);
      expect(btc).toBeLessThan(200_000);
      expect(simPrice('PEPE/USDT', at)).toBeLessThan(1);
    }
  });

  it('rejects unknown symbols and timeframes with the right reason', async () => {
    const sim = fixed(NOW);
    expect(await reasonOf(sim.fetchTicker('FOO/BAR'))).toBe('UNKNOWN_SYMBOL');
    await expect(sim.fetchTicker('FOO/BAR')).rejects.toThrow('sim has no market FOO/BAR');
    expect(await reasonOf(sim.fetchTickers(['BTC/USDT', 'NOPE/USDT']))).toBe('UNKNOWN_SYMBOL');
    expect(await reasonOf(sim.fetchOHLCV('FOO/BAR', '1m', undefined, 10))).toBe('UNKNOWN_SYMBOL');
    expect(await reasonOf(sim.fetchOrderBook('BTCUSDT', 10))).toBe('UNKNOWN_SYMBOL');
    expect(await reasonOf(sim.fetchTrades('FOO/BAR', 10))).toBe('UNKNOWN_SYMBOL');
    expect(await reasonOf(sim.fetchOHLCV('BTC/USDT', '2m', undefined, 10))).toBe('NOT_SUPPORTED');
    expect(await reasonOf(sim.fetchOHLCV('BTC/USDT', '1s', undefined, 10))).toBe('NOT_SUPPORTED');
    expect(await reasonOf(sim.watch!.ticker!('FOO/BAR'))).toBe('UNKNOWN_SYMBOL');
    expect(await reasonOf(sim.watch!.ohlcv!('BTC/USDT', '7m'))).toBe('NOT_SUPPORTED');
  });

  it('streams: each watch resolves on the next whole second with that instant’s data', async () => {
    vi.useFakeTimers({ now: NOW });
    const sim = createSimExchange();
    const tick = Math.ceil(NOW / 1000) * 1000;

    const ticker = sim.watch!.ticker!('BTC/USDT');
    const candle = sim.watch!.ohlcv!('BTC/USDT', '1m');
    const book = sim.watch!.orderBook!('BTC/USDT', 5);
    const tickers = sim.watch!.tickers!(['ETH/USDT', 'SOL/USDT']);
    let settled = false;
    void ticker.then(() => (settled = true));
    await vi.advanceTimersByTimeAsync(tick - NOW - 1);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);

    const t = await ticker;
    expect(t.timestamp).toBe(tick);
    expect(t.last).toBe(simPrice('BTC/USDT', tick));
    const [forming, ...rest] = rows(await candle);
    expect(rest).toHaveLength(0);
    expect(forming![0]).toBe(candleStart(tick, '1m'));
    expect(forming![4]).toBe(t.last);
    expect((await book).bids[0]![0]).toBe(t.bid);
    expect(Object.keys(await tickers)).toEqual(['ETH/USDT', 'SOL/USDT']);

    // close() fails pending watchers and leaves no timers behind
    const pending = sim.watch!.ticker!('ETH/USDT');
    const outcome = reasonOf(pending);
    await vi.advanceTimersByTimeAsync(0);
    await sim.close();
    expect(await outcome).toBe('UPSTREAM_UNAVAILABLE');
    expect(vi.getTimerCount()).toBe(0);
  });
});
