import { toMarketError } from '../errors.js';
import type { ExchangeSource } from '../exchanges/source.js';
import type { Ticker } from '../schemas.js';
import { FATAL, retryDelay } from './error-policy.js';
import type { FeedHub } from './hub.js';
import type { TickerFeed } from './ticker-feed.js';

/** service.tickers takes at most this many symbols per call. */
const TICKERS_PER_CALL = 100;

/**
 * Polls every polled ticker feed of one exchange with one batched service.tickers call per
 * interval (one upstream fetchTickers where the exchange has it; the service fans out otherwise).
 */
export class TickerPoller {
  private readonly feeds = new Map<string, TickerFeed>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private inFlight = false;
  private failures = 0;
  private readonly intervalMs: number;

  constructor(
    private readonly hub: FeedHub,
    readonly exchange: string,
    source: ExchangeSource,
  ) {
    this.intervalMs = hub.intervalFor(source);
  }

  add(feed: TickerFeed): void {
    this.feeds.set(feed.symbol, feed);
    // a burst of new symbols in one tick is fetched together
    if (!this.timer && !this.inFlight) this.timer = this.hub.setTimer(() => void this.run(), 0);
  }

  remove(feed: TickerFeed): void {
    if (this.feeds.get(feed.symbol) === feed) this.feeds.delete(feed.symbol);
    if (this.feeds.size === 0) {
      this.timer = this.hub.clearTimer(this.timer);
      if (!this.inFlight) this.hub.dropPoller(this);
    }
  }

  private async run(): Promise<void> {
    this.timer = undefined;
    const batch = [...this.feeds.values()];
    if (batch.length === 0) {
      this.hub.dropPoller(this);
      return;
    }
    this.inFlight = true;
    let delay = this.intervalMs;
    try {
      const bySymbol = new Map<string, Ticker>();
      for (let i = 0; i < batch.length; i += TICKERS_PER_CALL) {
        const symbols = batch.slice(i, i + TICKERS_PER_CALL).map((f) => f.symbol);
        const tickers = await this.hub.service.tickers({ exchange: this.exchange, symbols });
        for (const t of tickers) bySymbol.set(t.symbol, t);
      }
      this.failures = 0;
      for (const feed of batch)
        if (this.feeds.get(feed.symbol) === feed) feed.polled(bySymbol.get(feed.symbol));
    } catch (cause) {
      const error = toMarketError(cause, this.exchange);
      if (FATAL.has(error.reason)) {
        for (const feed of batch) feed.handleError(error);
      } else {
        this.failures++;
        delay = retryDelay(error, this.failures, this.intervalMs, this.hub.maxBackoffMs);
        for (const feed of batch) if (this.feeds.get(feed.symbol) === feed) feed.publishStale(error, delay);
      }
    } finally {
      this.inFlight = false;
    }
    if (this.feeds.size > 0) this.timer = this.hub.setTimer(() => void this.run(), delay);
    else this.hub.dropPoller(this);
  }
}
