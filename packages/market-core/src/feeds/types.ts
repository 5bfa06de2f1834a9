import type { ErrorReason } from '../errors.js';
import type { Candle, OrderBook, Ticker } from '../schemas.js';

/** MCP_STREAM_MODE: `auto` watches where the exchange streams, else polls; `poll` and `watch` force one. */
export type StreamMode = 'auto' | 'poll' | 'watch';
/** What a running feed is doing right now (system.stats). */
export type FeedMode = 'watch' | 'poll';
export type FeedChannel = 'ticker' | 'ohlcv' | 'orderBook';

/** A new ticker value (only sent when timestamp or last changed). */
export interface TickerEvent {
  type: 'ticker';
  ticker: Ticker;
}

/** The forming candle on each change (`closed: false`), and each candle once more with `closed: true` when its period ends. */
export interface CandleEvent {
  type: 'candle';
  exchange: string;
  symbol: string;
  timeframe: string;
  candle: Candle;
  closed: boolean;
}

export interface OrderBookEvent {
  type: 'orderBook';
  book: OrderBook;
}

/**
 * The feed's health: `stale` when the upstream failed with a retryable error (the feed keeps
 * retrying with backoff), `live` again once data flows.
 */
export interface FeedStatusEvent {
  type: 'status';
  state: 'stale' | 'live';
  exchange: string;
  symbol: string;
  mode: FeedMode;
  reason?: ErrorReason;
  message?: string;
  /** When the next attempt is due, ms from the event. */
  retryInMs?: number;
}

export type StreamEvent = TickerEvent | CandleEvent | OrderBookEvent | FeedStatusEvent;
export type TickerStreamEvent = TickerEvent | FeedStatusEvent;
export type CandleStreamEvent = CandleEvent | FeedStatusEvent;
export type OrderBookStreamEvent = OrderBookEvent | FeedStatusEvent;

let nextUpdateId = 0;
/** Ids unique within the process and increasing, so a resuming client's lastEventId can be compared. */
const idPrefix = Date.now().toString(36);

/**
 * One update of one feed, shared by every subscriber of that feed: the value is serialised at most
 * once (`json`), however many subscribers it goes to.
 */
export class FeedUpdate<E extends StreamEvent = StreamEvent> {
  readonly id: string;
  private serialised: string | undefined;

  constructor(
    readonly key: string,
    readonly event: E,
    /** Sticky updates (closed candles) are never skipped by a newer one of the same key. */
    readonly sticky = false,
    json?: string,
    /** The id given by the instance that published it (updates relayed from another instance). */
    id?: string,
  ) {
    this.id = id ?? `${idPrefix}-${++nextUpdateId}`;
    this.serialised = json;
  }

  /** JSON of `event`, computed on first use and then shared. */
  get json(): string {
    this.serialised ??= JSON.stringify(this.event);
    return this.serialised;
  }
}

/** What a subscriber hands the hub: told about every update of a feed and about its end. */
export interface FeedListener {
  onUpdate(update: FeedUpdate): void;
  /** The feed failed for good (UNKNOWN_SYMBOL, NOT_SUPPORTED, …) or the hub closed. */
  onEnd(error: Error): void;
  /** Holds the feed open for subscribers of other instances (not counted as a subscriber here). */
  readonly remote?: boolean;
}

export interface FeedStats {
  active: number;
  subscribers: number;
  /** Feed key → current mode; `remote` when another instance runs the feed and this one relays it. */
  modes: Record<string, FeedMode | 'remote'>;
}

/** Minimal logger shape (pino-compatible). */
export interface FeedLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}
