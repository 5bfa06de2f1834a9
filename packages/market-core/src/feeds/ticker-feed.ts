import { toTicker } from '../normalise.js';
import type { Ticker } from '../schemas.js';
import type { ResolvedFeedSpec } from './feed-spec.js';
import type { FeedHub } from './hub.js';
import { UpstreamFeed } from './upstream-feed.js';

export class TickerFeed extends UpstreamFeed {
  private last: Ticker | undefined;

  constructor(hub: FeedHub, spec: ResolvedFeedSpec) {
    super(hub, 'ticker', spec);
  }

  protected hasWatch(): boolean {
    return this.source.watch?.ticker !== undefined;
  }

  /** Polled tickers go through the exchange's batch poller: one fetchTickers per interval. */
  protected override onPollStart(): void {
    this.hub.poller(this.exchange, this.source).add(this);
  }

  protected override onPollStop(): void {
    this.hub.poller(this.exchange, this.source).remove(this);
  }

  protected pollOnce(): Promise<void> {
    return Promise.resolve();
  }

  protected watchNext(): Promise<unknown> {
    return this.source.watch!.ticker!(this.symbol);
  }

  protected ingestWatched(raw: unknown): void {
    const fetchedAt = Date.now();
    this.ingest(
      toTicker(this.exchange, this.symbol, raw as Parameters<typeof toTicker>[2], {
        fetchedAt,
        simulated: this.source.simulated,
        cached: false,
      }),
    );
  }

  /** Publishes a ticker unless timestamp and last are unchanged. */
  ingest(ticker: Ticker): void {
    const last = this.last;
    if (last && last.timestamp === ticker.timestamp && last.last === ticker.last) return;
    this.last = ticker;
    this.publish({ type: 'ticker', ticker });
  }

  /** From the poller: a batch succeeded. */
  polled(ticker: Ticker | undefined): void {
    this.succeeded();
    if (ticker) this.ingest(ticker);
  }
}
