import type { ExchangeSource } from '../exchanges/source.js';

export type FeedSpec =
  | { channel: 'ticker'; exchange: string; symbol: string }
  | { channel: 'ohlcv'; exchange: string; symbol: string; timeframe: string }
  | { channel: 'orderBook'; exchange: string; symbol: string; depth: number };

/** A spec after validation: exchange id and unified symbol resolved, the feed key computed. */
export type ResolvedFeedSpec = FeedSpec & { key: string; source: ExchangeSource };

/** One upstream feed per key: exchange, channel, symbol and the channel's own parameter. */
export function keyOf(spec: FeedSpec): string {
  switch (spec.channel) {
    case 'ticker':
      return `ticker:${spec.exchange}:${spec.symbol}`;
    case 'ohlcv':
      return `ohlcv:${spec.exchange}:${spec.symbol}:${spec.timeframe}`;
    case 'orderBook':
      return `orderBook:${spec.exchange}:${spec.symbol}:${spec.depth}`;
  }
}
