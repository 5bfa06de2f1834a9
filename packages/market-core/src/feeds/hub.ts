import { MarketError } from '../errors.js';
import type { ExchangeSource } from '../exchanges/source.js';
import type { MarketService } from '../service.js';
import { normaliseSymbol } from '../symbols.js';
import { parseInput } from '../validate.js';
import {
  streamOhlcvInputSchema,
  streamOrderBookInputSchema,
  streamTickerInputSchema,
  streamTickersInputSchema,
} from './schemas.js';
import type {
  StreamOhlcvInput,
  StreamOrderBookInput,
  StreamTickerInput,
  StreamTickersInput,
} from './schemas.js';
import type { FeedCoordinator } from './coordinator.js';
import { createFeed } from './create-feed.js';
import type { Feed } from './feed.js';
import { keyOf } from './feed-spec.js';
import type { FeedSpec, ResolvedFeedSpec } from './feed-spec.js';
import { FeedSubscription } from './subscription.js';
import { TickerPoller } from './ticker-poller.js';
import type { FeedListener, FeedLogger, FeedStats, StreamMode } from './types.js';

export interface FeedHubOptions {
  service: MarketService;
  /** MCP_STREAM_MODE (default auto). */
  mode?: StreamMode;
  /** MCP_POLL_INTERVAL_MS (default 1000); an exchange's own minimum (1000 ms for real ones) wins when larger. */
  pollIntervalMs?: number;
  /** In auto mode a stream silent for this many intervals falls back to polling (default 3). */
  silenceIntervals?: number;
  /** First retry of a failed stream after falling back to polling (default 30 intervals); doubles up to maxWatchRetryMs. */
  watchRetryMs?: number;
  maxWatchRetryMs?: number;
  /** Longest pause between retries of a failing upstream (default 30 s). */
  maxBackoffMs?: number;
  log?: FeedLogger;
  /** Several instances (MCP_REDIS_URL): one of them runs each upstream feed, the others relay its updates. */
  coordinator?: FeedCoordinator | undefined;
}

const noopLog: FeedLogger = { info: () => undefined, warn: () => undefined };

/**
 * The live feed hub: one upstream feed per key (exchange, channel, symbol[, timeframe | depth]),
 * however many subscribers. The first subscriber starts a feed, the last one leaving stops it within
 * one interval; polled tickers of one exchange share one batched `fetchTickers` per interval.
 */
export class FeedHub {
  readonly mode: StreamMode;
  readonly pollIntervalMs: number;
  readonly silenceIntervals: number;
  readonly maxBackoffMs: number;
  readonly log: FeedLogger;
  private readonly watchRetryMs: number | undefined;
  readonly maxWatchRetryMs: number;
  private readonly feeds = new Map<string, Feed>();
  private readonly pollers = new Map<string, TickerPoller>();
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private idleWaiters: (() => void)[] = [];
  private closed = false;

  constructor(readonly options: FeedHubOptions) {
    this.mode = options.mode ?? 'auto';
    this.pollIntervalMs = options.pollIntervalMs ?? 1_000;
    this.silenceIntervals = options.silenceIntervals ?? 3;
    this.watchRetryMs = options.watchRetryMs;
    this.maxWatchRetryMs = options.maxWatchRetryMs ?? 5 * 60_000;
    this.maxBackoffMs = options.maxBackoffMs ?? 30_000;
    this.log = options.log ?? noopLog;
    options.coordinator?.bind?.(this);
  }

  get service(): MarketService {
    return this.options.service;
  }

  /** Pause between polls for this exchange: the configured interval, or the exchange's minimum when larger. */
  intervalFor(source: ExchangeSource): number {
    return Math.max(this.pollIntervalMs, source.minPollIntervalMs);
  }

  watchRetryFor(source: ExchangeSource): number {
    return this.watchRetryMs ?? 30 * this.intervalFor(source);
  }

  /** Validates a spec against the registry and the exchange's markets; throws the contract's MarketError. */
  async open(spec: FeedSpec): Promise<ResolvedFeedSpec> {
    if (this.closed) throw new MarketError('UPSTREAM_UNAVAILABLE', 'the server is shutting down; reconnect');
    const service = this.options.service;
    const id = service.registry.resolve(spec.exchange);
    const source = service.pool.source(id);
    const capability = spec.channel === 'ticker' ? 'ticker' : spec.channel;
    if (!source.capabilities[capability])
      throw new MarketError('NOT_SUPPORTED', `${id} does not support ${capability}`, { exchange: id });
    if (this.mode === 'watch' && !source.watch?.[spec.channel])
      throw new MarketError(
        'NOT_SUPPORTED',
        `${id} has no live ${spec.channel} stream; use MCP_STREAM_MODE=auto or poll`,
        { exchange: id },
      );
    if (spec.channel === 'ohlcv' && !source.timeframes.includes(spec.timeframe))
      throw new MarketError(
        'NOT_SUPPORTED',
        `${id} has no timeframe ${spec.timeframe}; it offers ${source.timeframes.join(', ') || 'none'}`,
        { exchange: id },
      );
    const symbol = await service.pool.resolveSymbol(id, normaliseSymbol(spec.symbol), spec.symbol);
    const resolved = { ...spec, exchange: id, symbol };
    return { ...resolved, key: keyOf(resolved), source };
  }

  /**
   * Attaches a listener to the feed of `spec`, starting the feed if it is the first. The listener is
   * told the feed's latest value at once (unless it is `lastEventId`). Returns the detach function.
   */
  attach(spec: ResolvedFeedSpec, listener: FeedListener, lastEventId?: string | null): () => void {
    if (this.closed) {
      listener.onEnd(new MarketError('UPSTREAM_UNAVAILABLE', 'the server is shutting down; reconnect'));
      return () => undefined;
    }
    let feed = this.feeds.get(spec.key);
    if (!feed) {
      feed = createFeed(this, spec);
      this.feeds.set(spec.key, feed);
      feed.start();
    }
    return feed.attach(listener, lastEventId);
  }

  /** Opens and attaches several specs as one subscription (an async iterator of updates). */
  async subscribe(
    specs: readonly FeedSpec[],
    options: { signal?: AbortSignal | undefined; lastEventId?: string | null | undefined } = {},
  ): Promise<FeedSubscription> {
    const resolved = await Promise.all(specs.map((s) => this.open(s)));
    const unique = [...new Map(resolved.map((r) => [r.key, r])).values()];
    return new FeedSubscription(
      (listener) => unique.map((r) => this.attach(r, listener, options.lastEventId)),
      options.signal,
    );
  }

  subscribeTicker(input: StreamTickerInput, signal?: AbortSignal): Promise<FeedSubscription> {
    const { exchange, symbol, lastEventId } = parseInput(streamTickerInputSchema, input);
    return this.subscribe([{ channel: 'ticker', exchange, symbol }], { signal, lastEventId });
  }

  subscribeTickers(input: StreamTickersInput, signal?: AbortSignal): Promise<FeedSubscription> {
    const { exchange, symbols, lastEventId } = parseInput(streamTickersInputSchema, input);
    return this.subscribe(
      symbols.map((symbol) => ({ channel: 'ticker' as const, exchange, symbol })),
      { signal, lastEventId },
    );
  }

  subscribeOhlcv(input: StreamOhlcvInput, signal?: AbortSignal): Promise<FeedSubscription> {
    const { exchange, symbol, timeframe, lastEventId } = parseInput(streamOhlcvInputSchema, input);
    return this.subscribe([{ channel: 'ohlcv', exchange, symbol, timeframe }], { signal, lastEventId });
  }

  subscribeOrderBook(input: StreamOrderBookInput, signal?: AbortSignal): Promise<FeedSubscription> {
    const { exchange, symbol, depth, lastEventId } = parseInput(streamOrderBookInputSchema, input);
    return this.subscribe([{ channel: 'orderBook', exchange, symbol, depth }], { signal, lastEventId });
  }

  /** feeds.active / subscribers / modes for system.stats. */
  stats(): FeedStats {
    let subscribers = 0;
    const modes: FeedStats['modes'] = {};
    for (const [key, feed] of this.feeds) {
      subscribers += feed.subscriberCount;
      modes[key] = feed.following ? 'remote' : feed.mode;
    }
    return { active: this.feeds.size, subscribers, modes };
  }

  /** Internals for leak tests: feeds, listeners, batch pollers and pending timers. */
  debugCounts(): { feeds: number; listeners: number; pollers: number; timers: number } {
    let listeners = 0;
    for (const feed of this.feeds.values()) listeners += feed.listenerCount;
    return { feeds: this.feeds.size, listeners, pollers: this.pollers.size, timers: this.timers.size };
  }

  /** Resolves once no feed, poller or timer is left. */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private isIdle(): boolean {
    return this.feeds.size === 0 && this.pollers.size === 0 && this.timers.size === 0;
  }

  /** @internal */
  checkIdle(): void {
    if (this.idleWaiters.length === 0 || !this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /** @internal a tracked setTimeout, so leaks show in debugCounts() */
  setTimer(fn: () => void, ms: number): ReturnType<typeof setTimeout> {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
      this.checkIdle();
    }, ms);
    this.timers.add(timer);
    return timer;
  }

  /** @internal */
  clearTimer(timer: ReturnType<typeof setTimeout> | undefined): undefined {
    if (timer !== undefined) {
      clearTimeout(timer);
      this.timers.delete(timer);
    }
    return undefined;
  }

  private readonly streams = new Map<string, number>();

  /** @internal a feed began streaming from `exchange` */
  streamOpened(exchange: string): void {
    this.streams.set(exchange, (this.streams.get(exchange) ?? 0) + 1);
  }

  /** @internal a feed stopped streaming; the last one closes the exchange's stream connections */
  streamClosed(exchange: string, source: ExchangeSource): void {
    const left = (this.streams.get(exchange) ?? 1) - 1;
    if (left > 0) {
      this.streams.set(exchange, left);
      return;
    }
    this.streams.delete(exchange);
    source.watch?.closeStreams?.().catch(() => undefined);
  }

  /** @internal */
  poller(exchange: string, source: ExchangeSource): TickerPoller {
    let poller = this.pollers.get(exchange);
    if (!poller) {
      poller = new TickerPoller(this, exchange, source);
      this.pollers.set(exchange, poller);
    }
    return poller;
  }

  /** @internal */
  dropPoller(poller: TickerPoller): void {
    if (this.pollers.get(poller.exchange) === poller) this.pollers.delete(poller.exchange);
    this.checkIdle();
  }

  /** @internal */
  dropFeed(feed: Feed): void {
    if (this.feeds.get(feed.key) === feed) this.feeds.delete(feed.key);
    this.checkIdle();
  }

  /** Ends every subscription (retryable UPSTREAM_UNAVAILABLE: clients should reconnect elsewhere) and stops all feeds. */
  close(): void {
    this.closed = true;
    const error = new MarketError('UPSTREAM_UNAVAILABLE', 'the server is shutting down; reconnect', {
      retryAfterMs: 1_000,
    });
    for (const feed of [...this.feeds.values()]) feed.fail(error);
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.checkIdle();
  }
}
