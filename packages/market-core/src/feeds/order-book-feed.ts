import { toLevels } from '../normalise.js';
import type { OrderBook } from '../schemas.js';
import type { ResolvedFeedSpec } from './feed-spec.js';
import type { FeedHub } from './hub.js';
import { UpstreamFeed } from './upstream-feed.js';

export class OrderBookFeed extends UpstreamFeed {
  private readonly depth: number;
  private lastJson: string | undefined;

  constructor(hub: FeedHub, spec: ResolvedFeedSpec & { channel: 'orderBook' }) {
    super(hub, 'orderBook', spec);
    this.depth = spec.depth;
  }

  protected hasWatch(): boolean {
    return this.source.watch?.orderBook !== undefined;
  }

  protected async pollOnce(): Promise<void> {
    this.ingest(
      await this.hub.service.orderBook({ exchange: this.exchange, symbol: this.symbol, depth: this.depth }),
    );
  }

  protected watchNext(): Promise<unknown> {
    return this.source.watch!.orderBook!(this.symbol, this.depth);
  }

  protected ingestWatched(raw: unknown): void {
    const book = raw as {
      timestamp?: number | undefined;
      bids: (number | undefined)[][];
      asks: (number | undefined)[][];
    };
    this.ingest({
      exchange: this.exchange,
      symbol: this.symbol,
      timestamp: book.timestamp ?? null,
      bids: toLevels(book.bids, this.depth),
      asks: toLevels(book.asks, this.depth),
    });
  }

  private ingest(book: OrderBook): void {
    // books are compared by content: unchanged levels are not sent again
    const json = JSON.stringify([book.bids, book.asks]);
    if (json === this.lastJson) return;
    this.lastJson = json;
    this.publish({ type: 'orderBook', book });
  }
}
