import { toCandles } from '../normalise.js';
import type { Candle } from '../schemas.js';
import type { ResolvedFeedSpec } from './feed-spec.js';
import type { FeedHub } from './hub.js';
import type { StreamEvent } from './types.js';
import { UpstreamFeed } from './upstream-feed.js';

export class OhlcvFeed extends UpstreamFeed {
  private readonly timeframe: string;
  private current: Candle | undefined;

  constructor(hub: FeedHub, spec: ResolvedFeedSpec & { channel: 'ohlcv' }) {
    super(hub, 'ohlcv', spec);
    this.timeframe = spec.timeframe;
  }

  protected hasWatch(): boolean {
    return this.source.watch?.ohlcv !== undefined;
  }

  protected override unwatchArg(): string {
    return this.timeframe;
  }

  protected async pollOnce(): Promise<void> {
    const { candles } = await this.hub.service.ohlcv({
      exchange: this.exchange,
      symbol: this.symbol,
      timeframe: this.timeframe,
      limit: 2,
    });
    await this.ingest(candles);
  }

  protected watchNext(): Promise<unknown> {
    return this.source.watch!.ohlcv!(this.symbol, this.timeframe);
  }

  protected async ingestWatched(raw: unknown): Promise<void> {
    await this.ingest(toCandles(raw as Parameters<typeof toCandles>[0]));
  }

  private event(candle: Candle, closed: boolean): StreamEvent {
    return {
      type: 'candle',
      exchange: this.exchange,
      symbol: this.symbol,
      timeframe: this.timeframe,
      candle,
      closed,
    };
  }

  /**
   * `candles` end with the forming one. When its start moves past the candle being tracked, that one
   * is published once more as closed (its final values from `candles`, else from history), then the
   * new forming candle.
   */
  private async ingest(candles: readonly Candle[]): Promise<void> {
    const forming = candles.at(-1);
    if (!forming) return;
    const current = this.current;
    if (current && forming[0] < current[0]) return; // out of order
    if (current && forming[0] > current[0]) {
      let final = candles.find((c) => c[0] === current[0]);
      if (!final) {
        const history = await this.hub.service.ohlcv({
          exchange: this.exchange,
          symbol: this.symbol,
          timeframe: this.timeframe,
          since: current[0],
          limit: 1,
        });
        final = history.candles.find((c) => c[0] === current[0]) ?? current;
      }
      if (this.closed) return;
      this.publish(this.event(final, true), true);
    }
    if (current && sameCandle(current, forming)) return;
    this.current = forming;
    this.publish(this.event(forming, false));
  }
}

function sameCandle(a: Candle, b: Candle): boolean {
  for (let i = 0; i < 6; i++) if (a[i] !== b[i]) return false;
  return true;
}
