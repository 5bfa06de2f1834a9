import { MarketError } from '../../errors.js';
import { candleStart } from '../../symbols.js';
import type { ExchangeSource, UpstreamCandle, UpstreamMarket, UpstreamTicker } from '../source.js';
import { candleAt, candles, orderBook, recentTrades, ticker } from './data.js';
import { SIM_MARKETS, type SimMarket, findMarket, toUpstreamMarket } from './markets.js';
import { mod, price } from './price.js';

export { SIM_MARKETS, type SimMarket } from './markets.js';

/**
 * The deterministic simulated exchange: every answer is a pure function of (symbol, now), so history
 * and live data agree, restarts replay the same series and tests can pin the clock.
 */

/** Every ccxt timeframe from 1m to 1M. */
export const SIM_TIMEFRAMES = [
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
] as const;
/** Live streams update once per wall-clock second. */
export const SIM_TICK_MS = 1_000;
const OHLCV_PAGE_LIMIT = 1_000;
/** Caps like a real exchange's, so a careless limit cannot make one call arbitrarily expensive. */
const MAX_BOOK_LEVELS = 1_000;
const MAX_TRADES = 1_000;

const TIMEFRAMES: ReadonlySet<string> = new Set(SIM_TIMEFRAMES);

export interface SimExchangeOptions {
  /** Clock in epoch ms; fix it in tests to get exact, repeatable values. */
  now?: () => number;
}

/** Runs synchronous work as a promise, so throws surface as rejections like any exchange call. */
function run<T>(fn: () => T): Promise<T> {
  return new Promise<T>((resolve) => resolve(fn()));
}

function clampLimit(limit: number, max: number): number {
  return Number.isFinite(limit) ? Math.min(max, Math.max(1, Math.floor(limit))) : max;
}

function checkTimeframe(timeframe: string): void {
  if (!TIMEFRAMES.has(timeframe))
    throw new MarketError('NOT_SUPPORTED', `sim does not support timeframe ${timeframe.slice(0, 16)}`, {
      exchange: 'sim',
    });
}

function marketsFor(symbols: readonly string[]): readonly SimMarket[] {
  return symbols.length === 0 ? SIM_MARKETS : symbols.map(findMarket);
}

function tickersAt(markets: readonly SimMarket[], now: number): Record<string, UpstreamTicker> {
  const out: Record<string, UpstreamTicker> = {};
  for (const m of markets) out[m.symbol] = ticker(m, now);
  return out;
}

interface PendingWatch {
  timer: ReturnType<typeof setTimeout>;
  reject: (error: Error) => void;
}

export function createSimExchange(options: SimExchangeOptions = {}): ExchangeSource {
  const now = options.now ?? Date.now;
  const pending = new Set<PendingWatch>();

  /** Resolves with compute()'s value just after the next tick (the next whole second of the clock). */
  function onNextTick<T>(compute: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () => {
          pending.delete(entry);
          resolve(run(compute));
        },
        SIM_TICK_MS - mod(now(), SIM_TICK_MS),
      );
      timer.unref();
      const entry: PendingWatch = { timer, reject };
      pending.add(entry);
    });
  }

  return {
    id: 'sim',
    name: 'Simulated exchange',
    simulated: true,
    capabilities: { ticker: true, tickers: true, ohlcv: true, orderBook: true, trades: true, stream: true },
    nativeTickers: true,
    timeframes: SIM_TIMEFRAMES,
    ohlcvPageLimit: OHLCV_PAGE_LIMIT,
    minPollIntervalMs: 100,

    loadMarkets: () =>
      run(() => {
        const out: Record<string, UpstreamMarket> = {};
        for (const m of SIM_MARKETS) out[m.symbol] = toUpstreamMarket(m);
        return out;
      }),
    fetchTicker: (symbol) => run(() => ticker(findMarket(symbol), now())),
    fetchTickers: (symbols) => run(() => tickersAt(marketsFor(symbols), now())),
    fetchOHLCV: (symbol, timeframe, since, limit) =>
      run(() => {
        const m = findMarket(symbol);
        checkTimeframe(timeframe);
        if (since !== undefined && !Number.isFinite(since))
          throw new MarketError('INVALID_INPUT', 'since must be a finite timestamp', { exchange: 'sim' });
        return candles(m, timeframe, since, clampLimit(limit, OHLCV_PAGE_LIMIT), now());
      }),
    fetchOrderBook: (symbol, limit) =>
      run(() => orderBook(findMarket(symbol), now(), clampLimit(limit, MAX_BOOK_LEVELS))),
    fetchTrades: (symbol, limit) =>
      run(() => recentTrades(findMarket(symbol), now(), clampLimit(limit, MAX_TRADES))),

    watch: {
      ticker: (symbol) => run(() => findMarket(symbol)).then((m) => onNextTick(() => ticker(m, now()))),
      tickers: (symbols) =>
        run(() => marketsFor(symbols)).then((ms) => onNextTick(() => tickersAt(ms, now()))),
      ohlcv: (symbol, timeframe) =>
        run(() => {
          checkTimeframe(timeframe);
          return findMarket(symbol);
        }).then((m) =>
          onNextTick((): UpstreamCandle[] => {
            const t = now();
            return [candleAt(m, timeframe, candleStart(t, timeframe), t)];
          }),
        ),
      orderBook: (symbol, limit) =>
        run(() => findMarket(symbol)).then((m) =>
          onNextTick(() => orderBook(m, now(), clampLimit(limit, MAX_BOOK_LEVELS))),
        ),
    },

    close: () => {
      // pending watchers fail instead of hanging; the timers go with them
      for (const entry of pending) {
        clearTimeout(entry.timer);
        entry.reject(new MarketError('UPSTREAM_UNAVAILABLE', 'sim exchange was closed', { exchange: 'sim' }));
      }
      pending.clear();
      return Promise.resolve();
    },
  };
}

/** p(symbol, t): the sim's price of a market at time t (ms), as every endpoint reports it. */
export function simPrice(symbol: string, t: number): number {
  return price(findMarket(symbol), t);
}
