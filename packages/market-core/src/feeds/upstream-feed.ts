import { toMarketError } from '../errors.js';
import { Feed } from './feed.js';

/** Longest wait for an exchange to acknowledge an unsubscribe before its stream connection is closed anyway. */
const UNWATCH_TIMEOUT_MS = 5_000;

/**
 * How a feed gets its values. Mode handling: `poll` polls; `watch` loops on the exchange's watch* call and
 * retries it with backoff; `auto` watches and falls back to polling when the stream errors or stays
 * silent for `silenceIntervals` intervals, tries the stream again later (while still polling) and
 * stops polling once the stream delivers.
 */
export abstract class UpstreamFeed extends Feed {
  private polling = false;
  private pollTimer: ReturnType<typeof setTimeout> | undefined;

  private watchGen = 0;
  private watching = false;
  private watchdog: ReturnType<typeof setTimeout> | undefined;
  private watchRetryTimer: ReturnType<typeof setTimeout> | undefined;
  private watchRetryDelay = 0;

  /** Fetches the current value through the cached REST path and ingests it. */
  protected abstract pollOnce(): Promise<void>;
  /** Waits for the next streamed value; undefined when the exchange has no stream for this channel. */
  protected abstract watchNext(): Promise<unknown>;
  protected abstract hasWatch(): boolean;
  protected abstract ingestWatched(raw: unknown): Promise<void> | void;

  protected startUpstream(): void {
    if (this.hub.mode === 'poll' || !this.hasWatch()) {
      this.mode = 'poll';
      this.startPolling();
    } else {
      this.mode = 'watch';
      this.startWatch();
    }
  }

  protected stopUpstream(): void {
    this.stopPolling();
    this.stopWatch();
    this.watchRetryTimer = this.hub.clearTimer(this.watchRetryTimer);
    this.watchRetryDelay = 0;
  }

  // ---- polling -------------------------------------------------------------------------------

  private startPolling(): void {
    if (this.polling) return;
    this.polling = true;
    this.onPollStart();
  }

  private stopPolling(): void {
    if (!this.polling) return;
    this.polling = false;
    this.pollTimer = this.hub.clearTimer(this.pollTimer);
    this.onPollStop();
  }

  /** Polling begins: by default this feed's own timer loop, first poll at once. */
  protected onPollStart(): void {
    this.pollTimer = this.hub.setTimer(() => void this.runPoll(), 0);
  }

  protected onPollStop(): void {
    // the timer is already cleared
  }

  private async runPoll(): Promise<void> {
    this.pollTimer = undefined;
    if (!this.polling) return;
    let delay: number | undefined = this.intervalMs;
    try {
      await this.pollOnce();
      this.succeeded();
    } catch (error) {
      if (!this.polling || this.closed) return;
      delay = this.handleError(error);
    }
    if (this.polling && !this.closed && delay !== undefined)
      this.pollTimer = this.hub.setTimer(() => void this.runPoll(), delay);
  }

  // ---- streaming -----------------------------------------------------------------------------

  private startWatch(): void {
    const gen = ++this.watchGen;
    if (!this.watching) {
      this.watching = true;
      this.hub.streamOpened(this.exchange);
    }
    this.armWatchdog(gen);
    void this.watchLoop(gen);
  }

  private stopWatch(): void {
    this.watchGen++;
    this.watchdog = this.hub.clearTimer(this.watchdog);
    if (this.watching) {
      // end the exchange-side subscription too (ccxt.pro unWatch*): no upstream stream outlives its feed
      this.watching = false;
      const unwatched = this.source.watch?.unwatch?.(this.channel, this.symbol, this.unwatchArg());
      // the exchange hears the unsubscribe before its last stream connection closes
      // (bounded: an exchange that never acknowledges cannot keep the connection open)
      let timer: ReturnType<typeof setTimeout> | undefined;
      const bounded = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, UNWATCH_TIMEOUT_MS);
        timer.unref();
      });
      void Promise.race([(unwatched ?? Promise.resolve()).catch(() => undefined), bounded]).then(() => {
        clearTimeout(timer);
        this.hub.streamClosed(this.exchange, this.source);
      });
    }
  }

  /** The extra argument of the exchange's unWatch* call (the timeframe for candles). */
  protected unwatchArg(): string | undefined {
    return undefined;
  }

  private async watchLoop(gen: number): Promise<void> {
    while (this.watchGen === gen && !this.closed) {
      let raw: unknown;
      try {
        raw = await this.watchNext();
      } catch (error) {
        if (this.watchGen === gen && !this.closed) this.onWatchError(error);
        return;
      }
      if (this.watchGen !== gen || this.closed) return;
      this.onWatchData(gen);
      try {
        await this.ingestWatched(raw);
      } catch (error) {
        if (this.watchGen === gen && !this.closed) this.onWatchError(error);
        return;
      }
    }
  }

  private onWatchData(gen: number): void {
    this.succeeded();
    this.armWatchdog(gen);
    if (this.mode === 'poll') {
      // the stream is back: stop polling
      this.stopPolling();
      this.mode = 'watch';
      this.watchRetryDelay = 0;
      this.hub.log.info({ feed: this.key }, `feed ${this.key} is streaming again`);
    }
  }

  private onWatchError(cause: unknown): void {
    if (this.hub.mode === 'auto') {
      this.fallBack(`stream failed: ${toMarketError(cause, this.exchange).message}`);
      return;
    }
    // watch mode: retry the stream itself with backoff
    this.stopWatch();
    const delay = this.handleError(cause);
    if (delay === undefined) return;
    this.watchRetryTimer = this.hub.setTimer(() => {
      this.watchRetryTimer = undefined;
      if (!this.closed) this.startWatch();
    }, delay);
  }

  private armWatchdog(gen: number): void {
    this.watchdog = this.hub.clearTimer(this.watchdog);
    if (this.hub.mode !== 'auto') return;
    const silenceMs = this.hub.silenceIntervals * this.intervalMs;
    this.watchdog = this.hub.setTimer(() => {
      this.watchdog = undefined;
      if (this.watchGen === gen && !this.closed)
        this.fallBack(`stream silent for ${this.hub.silenceIntervals} intervals (${silenceMs} ms)`);
    }, silenceMs);
  }

  /** auto mode: poll now, try the stream again later with a growing delay. */
  private fallBack(why: string): void {
    this.stopWatch();
    if (this.mode !== 'poll' || !this.polling) {
      this.hub.log.warn({ feed: this.key, why }, `feed ${this.key} falls back to polling: ${why}`);
      this.mode = 'poll';
      this.startPolling();
    }
    this.watchRetryDelay =
      this.watchRetryDelay === 0
        ? this.hub.watchRetryFor(this.source)
        : Math.min(this.watchRetryDelay * 2, this.hub.maxWatchRetryMs);
    this.watchRetryTimer = this.hub.clearTimer(this.watchRetryTimer);
    this.watchRetryTimer = this.hub.setTimer(() => {
      this.watchRetryTimer = undefined;
      // try the stream while still polling; the first streamed value stops the polling
      if (!this.closed) this.startWatch();
    }, this.watchRetryDelay);
  }
}
