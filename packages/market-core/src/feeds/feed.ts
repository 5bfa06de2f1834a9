import { toMarketError } from '../errors.js';
import type { MarketError } from '../errors.js';
import type { ExchangeSource } from '../exchanges/source.js';
import type { CoordinatedFeed, FeedMembership } from './coordinator.js';
import { FATAL, retryDelay } from './error-policy.js';
import type { FeedSpec, ResolvedFeedSpec } from './feed-spec.js';
import type { FeedHub } from './hub.js';
import { FeedUpdate } from './types.js';
import type { FeedChannel, FeedListener, FeedMode, StreamEvent } from './types.js';

/**
 * One upstream feed, however many local subscribers: hands them the latest value and stale/live
 * status, lingers one interval after the last leaves, leads or follows under a coordinator, and
 * decides which errors end it. How values are fetched (poll, watch, auto) lives in UpstreamFeed.
 */
export abstract class Feed {
  readonly key: string;
  readonly exchange: string;
  readonly symbol: string;
  readonly source: ExchangeSource;
  readonly intervalMs: number;
  mode: FeedMode = 'poll';
  /** With a coordinator: whether this instance runs the upstream feed, or relays another's. */
  leading = false;
  following = false;
  private membership: FeedMembership | undefined;
  readonly spec: FeedSpec;
  private readonly listeners = new Set<FeedListener>();
  private latest: FeedUpdate | undefined;
  private stale: FeedUpdate | undefined;
  protected closed = false;
  private lingerTimer: ReturnType<typeof setTimeout> | undefined;

  private failures = 0;

  constructor(
    protected readonly hub: FeedHub,
    readonly channel: FeedChannel,
    spec: ResolvedFeedSpec,
  ) {
    this.key = spec.key;
    this.exchange = spec.exchange;
    this.symbol = spec.symbol;
    this.source = spec.source;
    this.intervalMs = hub.intervalFor(spec.source);
    const { key: _key, source: _source, ...plain } = spec;
    this.spec = plain;
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  /** Listeners other than those holding a feed open for other instances. */
  get subscriberCount(): number {
    let n = 0;
    for (const listener of this.listeners) if (!listener.remote) n++;
    return n;
  }

  /** Starts fetching values from the exchange: this instance leads the key, or runs alone. */
  protected abstract startUpstream(): void;
  /** Stops fetching and cancels any pending retry; the feed itself stays open. */
  protected abstract stopUpstream(): void;

  start(): void {
    const coordinator = this.hub.options.coordinator;
    if (!coordinator) return this.startUpstream();
    const handle: CoordinatedFeed = {
      key: this.key,
      exchange: this.exchange,
      spec: this.spec,
      intervalMs: this.intervalMs,
      lead: () => this.lead(),
      follow: () => this.follow(),
      receive: (event, sticky, id, json) => this.receive(event, sticky, id, json),
    };
    this.membership = coordinator.join(handle);
  }

  private lead(): void {
    if (this.closed || this.leading) return;
    this.leading = true;
    this.following = false;
    this.startUpstream();
  }

  private follow(): void {
    if (this.closed) return;
    this.following = true;
    if (!this.leading) return;
    this.leading = false;
    this.stopUpstream();
    this.failures = 0;
  }

  /** An update from the leading instance, relayed to the local subscribers as if published here. */
  private receive(event: StreamEvent, sticky: boolean, id: string, json: string): void {
    if (this.closed || this.leading) return;
    const update = new FeedUpdate(this.key, event, sticky, json, id);
    if (event.type === 'status') this.stale = event.state === 'stale' ? update : undefined;
    else if (!sticky) this.latest = update;
    this.emit(update);
  }

  attach(listener: FeedListener, lastEventId?: string | null): () => void {
    this.lingerTimer = this.hub.clearTimer(this.lingerTimer);
    this.listeners.add(listener);
    if (this.latest && this.latest.id !== lastEventId) listener.onUpdate(this.latest);
    if (this.stale) listener.onUpdate(this.stale);
    let attached = true;
    return () => {
      if (!attached) return;
      attached = false;
      if (this.listeners.delete(listener) && this.listeners.size === 0 && !this.closed) {
        // linger one interval: a subscriber coming straight back reuses the running feed
        this.lingerTimer = this.hub.setTimer(() => {
          this.lingerTimer = undefined;
          if (this.listeners.size === 0) this.stop();
        }, this.intervalMs);
      }
    };
  }

  stop(): void {
    if (this.closed) return;
    this.closed = true;
    this.lingerTimer = this.hub.clearTimer(this.lingerTimer);
    this.stopUpstream();
    this.leading = false;
    this.membership?.leave();
    this.membership = undefined;
    this.hub.dropFeed(this);
  }

  /** Ends every subscriber with `error` and stops. */
  fail(error: Error): void {
    if (this.closed) return;
    const listeners = [...this.listeners];
    this.listeners.clear();
    this.stop();
    for (const listener of listeners) listener.onEnd(error);
  }

  protected publish(event: StreamEvent, sticky = false): void {
    if (this.closed) return;
    if (this.stale) {
      this.stale = undefined;
      this.emit(
        new FeedUpdate(this.key, {
          type: 'status',
          state: 'live',
          exchange: this.exchange,
          symbol: this.symbol,
          mode: this.mode,
        }),
      );
    }
    const update = new FeedUpdate(this.key, event, sticky);
    if (!sticky) this.latest = update;
    this.emit(update);
  }

  private emit(update: FeedUpdate): void {
    for (const listener of this.listeners) listener.onUpdate(update);
    if (this.leading) this.membership?.published(update);
  }

  /** A retryable failure: tell subscribers once per episode (or when the reason changes). */
  publishStale(error: MarketError, retryInMs: number): void {
    const current = this.stale?.event;
    if (!this.closed && !(current?.type === 'status' && current.reason === error.reason)) {
      this.hub.log.warn(
        { feed: this.key, reason: error.reason, retryInMs, mode: this.mode },
        `feed ${this.key} is stale: ${error.message}`,
      );
      this.stale = new FeedUpdate(this.key, {
        type: 'status',
        state: 'stale',
        exchange: this.exchange,
        symbol: this.symbol,
        mode: this.mode,
        reason: error.reason,
        message: error.message,
        retryInMs,
      });
      this.emit(this.stale);
    }
  }

  /** Next retry delay for a retryable error, or undefined after failing the feed for a fatal one. */
  handleError(cause: unknown): number | undefined {
    const error = toMarketError(cause, this.exchange);
    if (FATAL.has(error.reason)) {
      this.hub.log.warn({ feed: this.key, reason: error.reason }, `feed ${this.key} ended: ${error.message}`);
      this.fail(error);
      return undefined;
    }
    const delay = this.backoff(error);
    this.publishStale(error, delay);
    return delay;
  }

  backoff(error: MarketError): number {
    this.failures++;
    return retryDelay(error, this.failures, this.intervalMs, this.hub.maxBackoffMs);
  }

  protected succeeded(): void {
    this.failures = 0;
  }
}
