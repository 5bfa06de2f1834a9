import ccxt from 'ccxt';
import { describe, expect, it } from 'vitest';
import { createSimExchange } from '../src/exchanges/sim/index.js';
import type { ExchangeSource } from '../src/exchanges/source.js';
import { MarketService } from '../src/service.js';
import { countingSource } from './helpers/counting-source.js';

const NOW = Date.UTC(2026, 10, 21, 12, 0, 30);

function serviceWith(source: ExchangeSource, now = () => NOW) {
  return new MarketService({
    now,
    retry: { baseDelayMs: 1, maxDelayMs: 2 },
    createSource: (id) => (id === 'binance' ? source : undefined),
  });
}

describe('MarketService', () => {
  it('answers 1000 identical concurrent cold ticker calls with one upstream call', async () => {
    const { source, calls } = countingSource();
    const service = serviceWith(source);
    const results = await Promise.all(
      Array.from({ length: 1000 }, () => service.ticker({ exchange: 'binance', symbol: 'BTC/USDT' })),
    );
    expect(calls.fetchTicker).toBe(1);
    expect(calls.loadMarkets).toBe(1);
    expect(new Set(results.map((r) => r.last)).size).toBe(1);
    expect(service.counters.upstreamCalls().binance).toBe(2); // loadMarkets + fetchTicker
  });

  it('resolves BTC-USDT, btc_usdt and the exchange id BTCUSDT to BTC/USDT', async () => {
    const service = serviceWith(countingSource().source);
    for (const symbol of ['BTC-USDT', 'btc_usdt', 'btc/usdt', 'BTCUSDT', 'btcusdt']) {
      expect((await service.ticker({ exchange: 'binance', symbol })).symbol).toBe('BTC/USDT');
    }
  });

  it('marks a ticker served from cache', async () => {
    const service = serviceWith(countingSource().source);
    expect((await service.ticker({ exchange: 'binance', symbol: 'ETH/USDT' })).cached).toBe(false);
    expect((await service.ticker({ exchange: 'binance', symbol: 'ETH/USDT' })).cached).toBe(true);
  });

  it('rejects unknown symbols and timeframes with the contract reasons', async () => {
    const service = serviceWith(countingSource().source);
    await expect(service.ticker({ exchange: 'binance', symbol: 'NOPE/USDT' })).rejects.toMatchObject({
      reason: 'UNKNOWN_SYMBOL',
    });
    await expect(
      service.ohlcv({ exchange: 'binance', symbol: 'BTC/USDT', timeframe: '7m' }),
    ).rejects.toMatchObject({
      reason: 'NOT_SUPPORTED',
      message: expect.stringContaining('1m'),
    });
    await expect(
      service.orderBook({ exchange: 'binance', symbol: 'BTC/USDT', depth: 0 }),
    ).rejects.toMatchObject({
      reason: 'INVALID_INPUT',
      message: expect.stringContaining('depth'),
    });
  });

  it('pages 3000 1m candles contiguously with no duplicates at page seams', async () => {
    const { source, calls } = countingSource();
    const service = serviceWith(source);
    const since = NOW - 4000 * 60_000;
    const { candles } = await service.ohlcv({
      exchange: 'binance',
      symbol: 'BTC/USDT',
      timeframe: '1m',
      since,
      limit: 3000,
    });
    expect(candles).toHaveLength(3000);
    expect(calls.fetchOHLCV).toBe(3); // pages of the exchange's 1000-candle maximum
    for (let i = 1; i < candles.length; i++) expect(candles[i]![0] - candles[i - 1]![0]).toBe(60_000);
    // since means "candles opening at or after it", as in ccxt
    expect(candles[0]![0]).toBe(Math.ceil(since / 60_000) * 60_000);
  });

  it('handles pages that overlap or come back short', async () => {
    const sim = createSimExchange({ now: () => NOW });
    // an exchange that returns at most 700 candles and repeats the last candle of the previous page
    let pages = 0;
    const { source } = countingSource({
      fetchOHLCV: async (symbol, tf, since, limit) => {
        pages++;
        return sim.fetchOHLCV(
          symbol,
          tf,
          since === undefined ? undefined : since - 60_000,
          Math.min(limit, 700),
        );
      },
    });
    const service = serviceWith(source);
    const { candles } = await service.ohlcv({
      exchange: 'binance',
      symbol: 'ETH/USDT',
      since: NOW - 3000 * 60_000,
      limit: 2000,
    });
    expect(candles).toHaveLength(2000);
    expect(new Set(candles.map((c) => c[0])).size).toBe(2000);
    expect(pages).toBe(3);
  });

  it('returns the latest candles ending with the forming one, and never caches the forming candle', async () => {
    let now = NOW;
    const { source, calls } = countingSource({}, () => now);
    const service = serviceWith(source, () => now);
    const first = await service.ohlcv({ exchange: 'binance', symbol: 'BTC/USDT', limit: 5 });
    expect(first.candles).toHaveLength(5);
    expect(first.candles.at(-1)![0]).toBe(Math.floor(NOW / 60_000) * 60_000);
    now += 10_000;
    const second = await service.ohlcv({ exchange: 'binance', symbol: 'BTC/USDT', limit: 5 });
    expect(calls.fetchOHLCV).toBe(2); // the page holding the forming candle is fetched again
    expect(second.candles.at(-1)![4]).not.toBe(first.candles.at(-1)![4]);
  });

  it('caches fully closed candle pages', async () => {
    const { source, calls } = countingSource();
    const service = serviceWith(source);
    const input = { exchange: 'binance', symbol: 'BTC/USDT', since: NOW - 86_400_000, limit: 100 };
    const a = await service.ohlcv(input);
    const b = await service.ohlcv(input);
    expect(b).toEqual(a);
    expect(calls.fetchOHLCV).toBe(1);
  });

  it('uses one fetchTickers call where the exchange has it, and bounded fetchTicker fan-out where not', async () => {
    const native = countingSource();
    const symbols = ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'];
    const tickers = await serviceWith(native.source).tickers({ exchange: 'binance', symbols });
    expect(tickers.map((t) => t.symbol)).toEqual(symbols);
    expect(native.calls.fetchTickers).toBe(1);
    expect(native.calls.fetchTicker).toBeUndefined();

    let inFlight = 0;
    let peak = 0;
    const sim = createSimExchange({ now: () => NOW });
    const single = countingSource({
      nativeTickers: false,
      fetchTicker: async (symbol) => {
        peak = Math.max(peak, ++inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        inFlight--;
        return sim.fetchTicker(symbol);
      },
    });
    const markets = Object.keys(await sim.loadMarkets()).slice(0, 20);
    const many = await serviceWith(single.source).tickers({ exchange: 'binance', symbols: markets });
    expect(many).toHaveLength(20);
    expect(peak).toBeLessThanOrEqual(5);
    expect(peak).toBeGreaterThan(1);
  });

  it('retries transient upstream errors and maps the final one', async () => {
    let attempts = 0;
    const { source } = countingSource({
      fetchTicker: async () => {
        attempts++;
        throw new ccxt.ExchangeNotAvailable('down');
      },
    });
    const service = serviceWith(source);
    await expect(service.ticker({ exchange: 'binance', symbol: 'BTC/USDT' })).rejects.toMatchObject({
      reason: 'UPSTREAM_UNAVAILABLE',
      retryable: true,
    });
    expect(attempts).toBe(3); // 1 + MCP_RETRY_ATTEMPTS (2)
  });

  it('does not retry a bad symbol', async () => {
    let attempts = 0;
    const { source } = countingSource({
      fetchTicker: async () => {
        attempts++;
        throw new ccxt.BadSymbol('no');
      },
    });
    await expect(
      serviceWith(source).ticker({ exchange: 'binance', symbol: 'BTC/USDT' }),
    ).rejects.toMatchObject({
      reason: 'UNKNOWN_SYMBOL',
    });
    expect(attempts).toBe(1);
  });

  it('retries a failed markets load on the next call instead of caching the failure', async () => {
    const sim = createSimExchange({ now: () => NOW });
    let loads = 0;
    const { source } = countingSource({
      loadMarkets: async () => {
        loads++;
        if (loads === 1) throw new ccxt.BadRequest('maintenance page');
        return sim.loadMarkets();
      },
    });
    const service = serviceWith(source);
    await expect(service.ticker({ exchange: 'binance', symbol: 'BTC/USDT' })).rejects.toMatchObject({
      reason: 'UPSTREAM_ERROR',
    });
    await expect(service.ticker({ exchange: 'binance', symbol: 'BTC/USDT' })).resolves.toMatchObject({
      symbol: 'BTC/USDT',
    });
    expect(loads).toBe(2);
  });

  it('merges concurrent markets loads', async () => {
    const { source, calls } = countingSource();
    const service = serviceWith(source);
    await Promise.all([
      service.ticker({ exchange: 'binance', symbol: 'BTC/USDT' }),
      service.orderBook({ exchange: 'binance', symbol: 'ETH/USDT' }),
      service.markets({ exchange: 'binance' }),
    ]);
    expect(calls.loadMarkets).toBe(1);
  });

  it('searches markets by symbol, base or exchange id', async () => {
    const service = new MarketService({ now: () => NOW });
    const found = await service.markets({ exchange: 'sim', search: 'btc-usdt' });
    expect(found.map((m) => m.symbol)).toContain('BTC/USDT');
    const usdc = await service.markets({ exchange: 'sim', search: 'usdc', limit: 2 });
    expect(usdc).toHaveLength(2);
    expect(usdc.every((m) => m.symbol.includes('USDC'))).toBe(true);
  });

  it('order book and trades keep the requested sizes and shapes', async () => {
    const service = new MarketService({ now: () => NOW });
    const book = await service.orderBook({ exchange: 'sim', symbol: 'BTC/USDT', depth: 7 });
    expect(book.bids).toHaveLength(7);
    expect(book.asks).toHaveLength(7);
    expect(book.bids[0]![0]).toBeLessThan(book.asks[0]![0]);
    const trades = await service.trades({ exchange: 'sim', symbol: 'BTC/USDT', limit: 12 });
    expect(trades).toHaveLength(12);
    expect(trades[0]).toMatchObject({ side: expect.stringMatching(/buy|sell/), price: expect.any(Number) });
  });

  it('lists sim first and every ccxt exchange with capabilities', () => {
    const list = new MarketService().listExchanges();
    expect(list[0]).toMatchObject({ id: 'sim', simulated: true });
    expect(list.length).toBe(ccxt.exchanges.length + 1);
    expect(list.find((e) => e.id === 'binance')).toMatchObject({
      simulated: false,
      capabilities: { ticker: true },
    });
  });
});
