import type { Candle } from './schemas.js';
import { candleStart, nextCandleStart, timeframeMs } from './symbols.js';

export interface PageRequest {
  since: number;
  limit: number;
  /** True when every candle the page can hold has closed, so its result never changes. */
  closed: boolean;
}

export interface CollectOptions {
  timeframe: string;
  since: number | undefined;
  until: number | undefined;
  limit: number;
  now: number;
  pageLimit: number;
  fetchPage: (page: PageRequest) => Promise<Candle[]>;
}

/** Safety net for exchanges that return far fewer candles per page than they advertise. */
const MAX_PAGES = 200;

/** Start of the candle `n` periods before the one starting at `start`. */
export function candleStartBefore(start: number, timeframe: string, n: number): number {
  if (timeframe.endsWith('M')) {
    const months = Number(timeframe.slice(0, -1));
    const d = new Date(start);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - n * months, 1);
  }
  return start - n * timeframeMs(timeframe)!;
}

/** ccxt's meaning of `since`: candles that open at or after it. */
function firstOpenAtOrAfter(since: number, timeframe: string): number {
  const start = candleStart(since, timeframe);
  return start < since ? nextCandleStart(start, timeframe) : start;
}

function endOfRange(start: number, timeframe: string, count: number): number {
  let end = start;
  for (let i = 0; i < count; i++) end = nextCandleStart(end, timeframe);
  return end;
}

/**
 * Collects `limit` candles from `since` (or the latest `limit` up to `until`/now), paging upstream in
 * chunks of the exchange's per-request maximum. Each page starts after the last candle seen, so seams
 * have neither gaps nor duplicates; candles are returned oldest first.
 */
export async function collectCandles(o: CollectOptions): Promise<Candle[]> {
  const until = Math.min(o.until ?? o.now, o.now);
  const fromEnd = o.since === undefined;
  let cursor = fromEnd
    ? candleStartBefore(candleStart(until, o.timeframe), o.timeframe, o.limit - 1)
    : firstOpenAtOrAfter(o.since!, o.timeframe);
  const currentStart = candleStart(o.now, o.timeframe);
  const out: Candle[] = [];

  for (let page = 0; page < MAX_PAGES && out.length < o.limit && cursor <= until; page++) {
    // one spare candle absorbs exchanges that also return the candle before `since`
    const limit = Math.min(o.pageLimit, o.limit - out.length + 1);
    const closed = endOfRange(cursor, o.timeframe, limit) <= currentStart;
    const candles = await o.fetchPage({ since: cursor, limit, closed });
    let added = 0;
    for (const candle of candles) {
      const last = out[out.length - 1];
      if (candle[0] < cursor || (last && candle[0] <= last[0])) continue;
      if (candle[0] > until || out.length >= o.limit) break;
      out.push(candle);
      added++;
    }
    if (added === 0) break;
    cursor = nextCandleStart(out[out.length - 1]![0], o.timeframe);
  }
  return out;
}
