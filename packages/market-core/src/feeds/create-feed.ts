import type { Feed } from './feed.js';
import type { ResolvedFeedSpec } from './feed-spec.js';
import type { FeedHub } from './hub.js';
import { OhlcvFeed } from './ohlcv-feed.js';
import { OrderBookFeed } from './order-book-feed.js';
import { TickerFeed } from './ticker-feed.js';

/** The feed of a spec's channel: kept apart so the hub needs no concrete feed class. */
export function createFeed(hub: FeedHub, spec: ResolvedFeedSpec): Feed {
  switch (spec.channel) {
    case 'ticker':
      return new TickerFeed(hub, spec);
    case 'ohlcv':
      return new OhlcvFeed(hub, spec);
    case 'orderBook':
      return new OrderBookFeed(hub, spec);
  }
}
