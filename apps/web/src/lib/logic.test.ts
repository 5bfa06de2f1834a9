import { describe, expect, it } from 'vitest';
import { filterExchanges } from '../components/ExchangePicker';
import { matchMarkets } from '../components/MarketSearch';
import { bookSides } from '../components/OrderBookPanel';
import { compareRows } from '../views/CompareView';
import { hitRate } from '../views/StatusView';
import { mergeCandles, timeframeMs } from './candles';
import type { Candle, ExchangeInfo, MarketSummary, Ticker } from './types';

const candle = (t: number, c: number): Candle => [t, c, c, c, c, 1];

describe('candles', () => {
  it('merges pages oldest first, one candle per time, newer wins', () => {
    const merged = mergeCandles([candle(2, 1), candle(1, 1)], [candle(2, 5), candle(3, 1)]);
    expect(merged.map((c) => [c[0], c[4]])).toEqual([
      [1, 1],
      [2, 5],
      [3, 1],
    ]);
  });

  it('knows timeframe lengths', () => {
    expect(timeframeMs('1m')).toBe(60_000);
    expect(timeframeMs('4h')).toBe(14_400_000);
    expect(timeframeMs('1d')).toBe(86_400_000);
    expect(timeframeMs('bogus')).toBe(60_000);
  });
});

describe('order book', () => {
  it('accumulates depth and scales bars to the deeper side', () => {
    const { bids, asks } = bookSides(
      {
        exchange: 'sim',
        symbol: 'BTC/USDT',
        timestamp: 1,
        bids: [
          [99, 1],
          [98, 3],
        ],
        asks: [
          [101, 2],
          [102, 6],
          [103, 1],
        ],
      },
      2,
    );
    expect(bids.map((l) => l.total)).toEqual([1, 4]);
    expect(asks.map((l) => l.total)).toEqual([2, 8]);
    expect(asks[1]?.depth).toBe(1);
    expect(bids[1]?.depth).toBe(0.5);
  });
});

const ticker = (exchange: string, bid: number | null, ask: number | null): Ticker => ({
  exchange,
  symbol: 'BTC/USDT',
  timestamp: 1,
  last: bid,
  bid,
  ask,
  high: null,
  low: null,
  open: null,
  close: null,
  baseVolume: null,
  quoteVolume: null,
  change: null,
  percentage: null,
  vwap: null,
  fetchedAt: 1,
  source: 'exchange',
  cached: false,
});

describe('compare', () => {
  it('measures each venue against the best bid and ask', () => {
    const rows = compareRows([
      { exchange: 'a', ticker: ticker('a', 100, 101) },
      { exchange: 'b', ticker: ticker('b', 99, 100.5) },
      { exchange: 'c', ticker: undefined },
    ]);
    expect(rows[0]?.bidVsBest).toBe(0);
    expect(rows[1]?.bidVsBest).toBeCloseTo(-100, 5);
    expect(rows[1]?.askVsBest).toBe(0);
    expect(rows[0]?.askVsBest).toBeCloseTo(49.75, 2);
    expect(rows[2]?.bidVsBest).toBeUndefined();
  });
});

describe('search', () => {
  const markets: MarketSummary[] = ['ETH/USDC', 'ETH/USDT', 'BTC/USDT', 'ETH/BTC'].map((symbol) => {
    const [base = '', quote = ''] = symbol.split('/');
    return { symbol, base, quote, type: 'spot', active: true };
  });

  it('matches symbols in any common spelling, exact and prefix first', () => {
    expect(matchMarkets(markets, 'eth-usdt').map((m) => m.symbol)).toEqual(['ETH/USDT']);
    expect(matchMarkets(markets, 'btc').map((m) => m.symbol)).toEqual(['BTC/USDT', 'ETH/BTC']);
    expect(matchMarkets(markets, '')).toHaveLength(4);
  });

  it('finds exchanges by id or name, prefix first', () => {
    const info = (id: string, name: string): ExchangeInfo => ({
      id,
      name,
      simulated: false,
      capabilities: { ticker: true, tickers: true, ohlcv: true, orderBook: true, trades: true, stream: true },
      timeframes: [],
    });
    const list = [
      info('binanceus', 'Binance US'),
      info('okx', 'OKX'),
      info('binance', 'Binance'),
      info('sim', 'Simulated'),
    ];
    expect(filterExchanges(list, 'nan').map((e) => e.id)).toEqual(['binanceus', 'binance']);
    expect(filterExchanges(list, 'OK').map((e) => e.id)).toEqual(['okx']);
  });
});

describe('status', () => {
  it('computes the cache hit rate', () => {
    expect(hitRate(0, 0)).toBeNull();
    expect(hitRate(3, 1)).toBe(75);
  });
});
