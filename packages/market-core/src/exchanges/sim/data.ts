import { candleStart, nextCandleStart } from '../../symbols.js';
import type { UpstreamCandle, UpstreamOrderBook, UpstreamTicker, UpstreamTrade } from '../source.js';
import type { SimMarket } from './markets.js';
import {
  hashString,
  hashUnit,
  priceTicks,
  roundAmount,
  roundTo,
  smoothNoise,
  ticksToPrice,
} from './price.js';

/**
 * Market data derived from the price model. Everything is a pure function of (market, now, args),
 * computed in integer ticks and converted last, so high ≥ max(o, c), bid < last < ask etc. hold exactly.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Interior samples per candle for high/low: bounded cost whatever the timeframe. */
const CANDLE_SAMPLES = 60;
/** Ticker 24 h high/low/vwap sample grid; aligned to the clock so the extremes do not jitter between calls. */
const TICKER_GRID_MS = 300_000;
/** Book levels are about one basis point apart. */
const LEVEL_STEP_BPS = 1;

// hash salts, one per use, so the streams of numbers are independent
const SALT_CANDLE_VOLUME = 11;
const SALT_TICKER_VOLUME = 12;
const SALT_BOOK_BID = 13;
const SALT_BOOK_ASK = 14;
const SALT_TRADE_COUNT = 15;
const SALT_TRADE_OFFSET = 20;
const SALT_TRADE_SIDE = 30;
const SALT_TRADE_AMOUNT = 40;
const MAX_TRADES_PER_SECOND = 3;

function halfSpreadTicks(m: SimMarket, lastTicks: number): number {
  return Math.max(1, Math.round((lastTicks * m.halfSpreadBps) / 10_000));
}

/** The candle starting at `start`; the forming one is cut at `now`, so its close is p(now). */
export function candleAt(m: SimMarket, timeframe: string, start: number, now: number): UpstreamCandle {
  const end = nextCandleStart(start, timeframe);
  const closeAt = Math.min(end, now);
  const open = priceTicks(m, start);
  const close = priceTicks(m, closeAt);
  let high = Math.max(open, close);
  let low = Math.min(open, close);
  const step = (end - start) / (CANDLE_SAMPLES + 1);
  for (let k = 1; k <= CANDLE_SAMPLES; k++) {
    const t = start + k * step;
    if (t > closeAt) break;
    const v = priceTicks(m, t);
    if (v > high) high = v;
    if (v < low) low = v;
  }
  const duration = end - start;
  const elapsed = Math.min(1, Math.max(closeAt - start, 1_000) / duration);
  const activity = 0.4 + 1.2 * hashUnit(m.seed ^ hashString(timeframe), SALT_CANDLE_VOLUME, start);
  const volume = roundAmount(((m.dailyBaseVolume * duration) / DAY) * activity * elapsed, m.amountDecimals);
  const px = (ticks: number): number => ticksToPrice(m, ticks);
  return [start, px(open), px(high), px(low), px(close), volume];
}

/**
 * Up to `limit` candles, oldest first: from the one containing `since`, or else the latest ones
 * ending with the forming candle. Never a candle that starts after `now`.
 */
export function candles(
  m: SimMarket,
  timeframe: string,
  since: number | undefined,
  limit: number,
  now: number,
): UpstreamCandle[] {
  const starts: number[] = [];
  if (since === undefined) {
    // stepping back via candleStart(s - 1) handles calendar months as well as fixed lengths
    for (let s = candleStart(now, timeframe); starts.length < limit; s = candleStart(s - 1, timeframe))
      starts.push(s);
    starts.reverse();
  } else {
    for (
      let s = candleStart(since, timeframe);
      s <= now && starts.length < limit;
      s = nextCandleStart(s, timeframe)
    )
      starts.push(s);
  }
  return starts.map((s) => candleAt(m, timeframe, s, now));
}

export function ticker(m: SimMarket, now: number): UpstreamTicker {
  const lastTicks = priceTicks(m, now);
  const openTicks = priceTicks(m, now - DAY);
  let high = Math.max(lastTicks, openTicks);
  let low = Math.min(lastTicks, openTicks);
  let sum = lastTicks + openTicks;
  let n = 2;
  for (let t = Math.ceil((now - DAY) / TICKER_GRID_MS) * TICKER_GRID_MS; t <= now; t += TICKER_GRID_MS) {
    const v = priceTicks(m, t);
    if (v > high) high = v;
    if (v < low) low = v;
    sum += v;
    n++;
  }
  const half = halfSpreadTicks(m, lastTicks);
  const last = ticksToPrice(m, lastTicks);
  // a time-weighted mean stands in for the volume-weighted one; rounding keeps it within [low, high]
  const vwap = ticksToPrice(m, Math.round(sum / n));
  const baseVolume = roundAmount(
    m.dailyBaseVolume * (1 + 0.3 * smoothNoise(m.seed, SALT_TICKER_VOLUME, now, HOUR)),
    m.amountDecimals,
  );
  return {
    symbol: m.symbol,
    timestamp: now,
    last,
    close: last,
    open: ticksToPrice(m, openTicks),
    high: ticksToPrice(m, high),
    low: ticksToPrice(m, low),
    bid: ticksToPrice(m, lastTicks - half),
    ask: ticksToPrice(m, lastTicks + half),
    change: ticksToPrice(m, lastTicks - openTicks),
    percentage: ((lastTicks - openTicks) / openTicks) * 100,
    vwap,
    baseVolume,
    quoteVolume: roundTo(baseVolume * vwap, Math.min(m.priceDecimals, 6)),
  };
}

/** `limit` levels a side around p(now); amounts change once per second. */
export function orderBook(m: SimMarket, now: number, limit: number): UpstreamOrderBook {
  const lastTicks = priceTicks(m, now);
  const half = halfSpreadTicks(m, lastTicks);
  const step = Math.max(1, Math.round((lastTicks * LEVEL_STEP_BPS) / 10_000));
  const second = Math.floor(now / 1_000);
  const amount = (salt: number, i: number): number => {
    const u = hashUnit(m.seed + i, salt, second);
    // deeper levels hold more size, as on real books
    return roundAmount(m.typicalAmount * (0.1 + 2.4 * u * u) * (1 + i / 10), m.amountDecimals);
  };
  const bids: number[][] = [];
  const asks: number[][] = [];
  for (let i = 0; i < limit; i++) {
    const bid = lastTicks - half - i * step;
    if (bid > 0) bids.push([ticksToPrice(m, bid), amount(SALT_BOOK_BID, i)]);
    asks.push([ticksToPrice(m, lastTicks + half + i * step), amount(SALT_BOOK_ASK, i)]);
  }
  return { timestamp: now, bids, asks };
}

type SimTrade = UpstreamTrade & { timestamp: number };

/** The trades of one wall-clock second (1..3 of them), in time order; identical whenever asked. */
function tradesInSecond(m: SimMarket, second: number): SimTrade[] {
  const count = 1 + Math.floor(MAX_TRADES_PER_SECOND * hashUnit(m.seed, SALT_TRADE_COUNT, second));
  const offsets: number[] = [];
  for (let i = 0; i < count; i++)
    offsets.push(Math.floor(1_000 * hashUnit(m.seed, SALT_TRADE_OFFSET + i, second)));
  offsets.sort((a, b) => a - b);
  return offsets.map((offset, i) => {
    const timestamp = second * 1_000 + offset;
    const side = hashUnit(m.seed, SALT_TRADE_SIDE + i, second) < 0.5 ? 'buy' : 'sell';
    const mid = priceTicks(m, timestamp);
    const half = halfSpreadTicks(m, mid);
    // takers pay the spread: buys at the ask, sells at the bid of that instant
    const price = ticksToPrice(m, side === 'buy' ? mid + half : Math.max(1, mid - half));
    const u = hashUnit(m.seed, SALT_TRADE_AMOUNT + i, second);
    const amount = roundAmount(m.typicalAmount * (0.02 + 1.5 * u * u * u), m.amountDecimals);
    return { id: `${timestamp}-${i}`, timestamp, side, price, amount, cost: price * amount };
  });
}

/** The last `limit` trades at or before `now`, oldest first. Every second has ≥ 1 trade, so this terminates. */
export function recentTrades(m: SimMarket, now: number, limit: number): UpstreamTrade[] {
  const out: UpstreamTrade[] = [];
  for (let second = Math.floor(now / 1_000); out.length < limit; second--) {
    const slot = tradesInSecond(m, second);
    for (let i = slot.length - 1; i >= 0 && out.length < limit; i--) {
      const trade = slot[i]!;
      if (trade.timestamp <= now) out.push(trade);
    }
  }
  return out.reverse();
}
