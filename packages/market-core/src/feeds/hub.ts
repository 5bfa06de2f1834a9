import { MarketError, toMarketError } from '../errors.js';
import type { ErrorReason } from '../errors.js';
import type { ExchangeSource } from '../exchanges/source.js';
import { toCandles, toLevels, toTicker } from '../normalise.js';
import { backoffDelay } from '../retry.js';
import type { RetryPolicy } from '../retry.js';
import type { Candle, OrderBook, Ticker } from '../schemas.js';
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
import type { CoordinatedFeed, FeedCoordinator, FeedMembership } from './coordinator.js';
import { FeedSubscription } from './subscription.js';
import { FeedUpdate } from './types.js';
import type {
  FeedChannel,
  FeedListener,
  FeedLogger,
  FeedMode,
  FeedStats,
  StreamEvent,
  StreamMode,
} from './types.js';

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

/** Errors that no retry can fix: they end the subscription with that reason. */
const FATAL: ReadonlySet<ErrorReason> = new Set([
  'UNKNOWN_SYMBOL',
  'NOT_SUPPORTED',
  'INVALID_INPUT',
  'UNKNOWN_EXCHANGE',
]);
/** Longest wait for an exchange to acknowledge an unsubscribe before its stream connection is closed anyway. */
const UNWATCH_TIMEOUT_MS = 5_000;
/** service.tickers takes at most this many symbols per call. */
const TICKERS_PER_CALL = 100;

export type FeedSpec =
  | { channel: 'ticker'; exchange: string; symbol: string }
  | { channel: 'ohlcv'; exchange: string; symbol: string; timeframe: string }
  | { channel: 'orderBook'; exchange: string; symbol: string; depth: number };

/** A spec after validation: exchange id and unified symbol resolved, the feed key computed. */
export type ResolvedFeedSpec = FeedSpec & { key: string; source: ExchangeSource };

const noopLog: FeedLogger = { info: () => undefined, warn: () => undefined };

function keyOf(spec: FeedSpec): string {
  switch (spec.channel) {
    case 'ticker':
      return `ticker:${spec.exchange}:${spec.symbol}`;
    case 'ohlcv':
      return `ohlcv:${spec.exchange}:${spec.symbol}:${spec.timeframe}`;
    case 'orderBook':
      return `orderBook:${spec.exchange}:${spec.symbol}:${spec.depth}`;
  }
}

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

function createFeed(hub: FeedHub, spec: ResolvedFeedSpec): Feed {
  switch (spec.channel) {
    case 'ticker':
      return new TickerFeed(hub, spec);
    case 'ohlcv':
      return new OhlcvFeed(hub, spec);
    case 'orderBook':
      return new OrderBookFeed(hub, spec);
  }
}

/**
 * One upstream feed. Mode handling: `poll` polls; `watch` loops on the exchange's watch* call and
 * retries it with backoff; `auto` watches and falls back to polling when the stream errors or stays
 * silent for `silenceIntervals` intervals, tries the stream again later (while still polling) and
 * stops polling once the stream delivers.
 */
abstract class Feed {
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

  private polling = false;
  private pollTimer: ReturnType<typeof setTimeout> | undefined;
  private failures = 0;

  private watchGen = 0;
  private watching = false;
  private watchdog: ReturnType<typeof setTimeout> | undefined;
  private watchRetryTimer: ReturnType<typeof setTimeout> | undefined;
  private watchRetryDelay = 0;

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

  /** Fetches the current value through the cached REST path and ingests it. */
  protected abstract pollOnce(): Promise<void>;
  /** Waits for the next streamed value; undefined when the exchange has no stream for this channel. */
  protected abstract watchNext(): Promise<unknown>;
  protected abstract hasWatch(): boolean;
  protected abstract ingestWatched(raw: unknown): Promise<void> | void;

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
    this.stopPolling();
    this.stopWatch();
    this.watchRetryTimer = this.hub.clearTimer(this.watchRetryTimer);
    this.watchRetryDelay = 0;
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

  private startUpstream(): void {
    if (this.hub.mode === 'poll' || !this.hasWatch()) {
      this.mode = 'poll';
      this.startPolling();
    } else {
      this.mode = 'watch';
      this.startWatch();
    }
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
    this.stopPolling();
    this.stopWatch();
    this.watchRetryTimer = this.hub.clearTimer(this.watchRetryTimer);
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
    const policy: RetryPolicy = {
      retries: 0,
      baseDelayMs: this.intervalMs,
      maxDelayMs: this.hub.maxBackoffMs,
    };
    return Math.max(error.retryAfterMs ?? 0, backoffDelay(policy, this.failures - 1));
  }

  protected succeeded(): void {
    this.failures = 0;
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

class TickerFeed extends Feed {
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

class OhlcvFeed extends Feed {
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

class OrderBookFeed extends Feed {
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

/**
 * Polls every polled ticker feed of one exchange with one batched service.tickers call per
 * interval (one upstream fetchTickers where the exchange has it; the service fans out otherwise).
 */
class TickerPoller {
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
        const policy: RetryPolicy = {
          retries: 0,
          baseDelayMs: this.intervalMs,
          maxDelayMs: this.hub.maxBackoffMs,
        };
        delay = Math.max(error.retryAfterMs ?? 0, backoffDelay(policy, this.failures - 1));
        for (const feed of batch) if (this.feeds.get(feed.symbol) === feed) feed.publishStale(error, delay);
      }
    } finally {
      this.inFlight = false;
    }
    if (this.feeds.size > 0) this.timer = this.hub.setTimer(() => void this.run(), delay);
    else this.hub.dropPoller(this);
  }
}
