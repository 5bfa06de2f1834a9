import type { BookLevel, Candle, MarketSummary, Ticker, Trade } from './schemas.js';
import type { UpstreamCandle, UpstreamMarket, UpstreamTicker, UpstreamTrade } from './exchanges/source.js';

/** ccxt leaves unknown fields undefined (and some exchanges send NaN): the contract says null. */
export function numOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

export function toTicker(
  exchange: string,
  symbol: string,
  raw: UpstreamTicker,
  meta: { fetchedAt: number; simulated: boolean; cached: boolean },
): Ticker {
  return {
    exchange,
    symbol,
    timestamp: numOrNull(raw.timestamp),
    last: numOrNull(raw.last),
    bid: numOrNull(raw.bid),
    ask: numOrNull(raw.ask),
    high: numOrNull(raw.high),
    low: numOrNull(raw.low),
    open: numOrNull(raw.open),
    close: numOrNull(raw.close),
    baseVolume: numOrNull(raw.baseVolume),
    quoteVolume: numOrNull(raw.quoteVolume),
    change: numOrNull(raw.change),
    percentage: numOrNull(raw.percentage),
    vwap: numOrNull(raw.vwap),
    fetchedAt: meta.fetchedAt,
    source: meta.simulated ? 'simulated' : 'exchange',
    cached: meta.cached,
  };
}

/** Candles with every field a finite number, sorted oldest first; anything else is dropped. */
export function toCandles(raw: readonly UpstreamCandle[]): Candle[] {
  const out: Candle[] = [];
  for (const c of raw) {
    const [t, o, h, l, cl, v] = c;
    if ([t, o, h, l, cl].every((x) => typeof x === 'number' && Number.isFinite(x))) {
      out.push([t!, o!, h!, l!, cl!, numOrNull(v) ?? 0]);
    }
  }
  return out.sort((a, b) => a[0] - b[0]);
}

export function toLevels(raw: readonly (number | undefined)[][], depth: number): BookLevel[] {
  const out: BookLevel[] = [];
  for (const level of raw) {
    const price = level[0];
    const amount = level[1];
    if (
      typeof price === 'number' &&
      typeof amount === 'number' &&
      Number.isFinite(price) &&
      Number.isFinite(amount)
    ) {
      out.push([price, amount]);
      if (out.length >= depth) break;
    }
  }
  return out;
}

export function toTrade(raw: UpstreamTrade): Trade {
  const amount = numOrNull(raw.amount) ?? 0;
  return {
    id: raw.id === undefined || raw.id === null ? null : String(raw.id),
    timestamp: numOrNull(raw.timestamp),
    side: raw.side === 'buy' || raw.side === 'sell' ? raw.side : null,
    price: raw.price,
    amount,
    cost: numOrNull(raw.cost) ?? (Number.isFinite(raw.price) ? raw.price * amount : null),
  };
}

export function toMarketSummary(market: UpstreamMarket): MarketSummary {
  return {
    symbol: market.symbol,
    base: market.base,
    quote: market.quote,
    type: market.type ?? 'spot',
    active: market.active !== false,
  };
}
