import { MarketError } from './errors.js';

/** Quote-less unified symbols ("BTC/USDT"), optionally with a settle (":USDT") and expiry suffix. */
const SEPARATORS = /[-_/]/;

/**
 * `BTC-USDT`, `btc_usdt`, `btc/usdt` → `BTC/USDT`. A string without a separator (an exchange's own
 * id such as `BTCUSDT`) is returned upper-cased; the caller resolves it through the exchange's markets.
 */
export function normaliseSymbol(raw: string): string {
  const trimmed = raw.trim();
  if (trimmed.length === 0) throw new MarketError('INVALID_INPUT', 'symbol is required');
  const [pair, settle] = splitOnce(trimmed, ':');
  const parts = pair.split(SEPARATORS).filter((p) => p.length > 0);
  if (parts.length !== 2) return trimmed.includes('/') ? trimmed.toUpperCase() : trimmed;
  const unified = `${parts[0]!.toUpperCase()}/${parts[1]!.toUpperCase()}`;
  return settle === undefined ? unified : `${unified}:${settle.toUpperCase()}`;
}

function splitOnce(s: string, sep: string): [string, string | undefined] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, undefined] : [s.slice(0, i), s.slice(i + 1)];
}

const UNIT_MS: Record<string, number> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  M: 2_592_000_000, // 30 days: ccxt's own convention for parseTimeframe
  y: 31_536_000_000,
};

/** Timeframe → milliseconds ("1m" → 60000), or undefined when it is not a timeframe. */
export function timeframeMs(timeframe: string): number | undefined {
  const match = /^(\d+)([smhdwMy])$/.exec(timeframe);
  if (!match) return undefined;
  const amount = Number(match[1]);
  const unit = UNIT_MS[match[2]!];
  return amount > 0 && unit ? amount * unit : undefined;
}

/** Start of the candle period containing `t` (calendar months for "M", UTC). */
export function candleStart(t: number, timeframe: string): number {
  if (timeframe.endsWith('M')) {
    const months = Number(timeframe.slice(0, -1));
    const d = new Date(t);
    const index = d.getUTCFullYear() * 12 + d.getUTCMonth();
    const start = index - (index % months);
    return Date.UTC(Math.floor(start / 12), start % 12, 1);
  }
  const ms = timeframeMs(timeframe);
  if (!ms) throw new MarketError('INVALID_INPUT', `timeframe ${timeframe} is not valid`);
  // weeks start on Monday as on most exchanges (the epoch was a Thursday)
  const offset = timeframe.endsWith('w') ? 4 * 86_400_000 : 0;
  return Math.floor((t - offset) / ms) * ms + offset;
}

/** Start of the candle period after the one starting at `start`. */
export function nextCandleStart(start: number, timeframe: string): number {
  if (timeframe.endsWith('M')) {
    const months = Number(timeframe.slice(0, -1));
    const d = new Date(start);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1);
  }
  return start + timeframeMs(timeframe)!;
}
