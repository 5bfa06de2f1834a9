import { useQueries, useQuery } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useEffect, useRef, useState } from 'react';
import { errorFacts } from './errors';
import type { Reason } from './errors';
import { useTRPC, useTRPCClient } from './trpc';
import type { OrderBook, RouterOutputs, Ticker } from './types';

/**
 * Live data for the views. Values arrive over the `stream.*` subscriptions (one WebSocket for all
 * of them); a snapshot query paints the first frame, and polls only while the stream is not
 * delivering (socket blocked by a proxy, server restarting), so the page never freezes silently.
 */

export interface Live<T> {
  data: T | undefined;
  /** Why data is missing or stale: a failed call, or the feed's own `stale` status. */
  error: unknown;
  /** Nothing to show yet (first load). */
  loading: boolean;
}

type Yielded<T> = T extends AsyncIterable<infer U> ? U : never;
export type TickerStreamItem = Yielded<RouterOutputs['stream']['ticker']>;
export type CandleStreamItem = Yielded<RouterOutputs['stream']['ohlcv']>;
export type OrderBookStreamItem = Yielded<RouterOutputs['stream']['orderBook']>;
export type FeedStatus = Extract<TickerStreamItem['data'], { type: 'status' }>;

/** Poll intervals of the fallback, inside the default per-client budget (120 requests a minute). */
export const POLL_MS = { tickers: 1_000, ticker: 2_000, orderBook: 2_000, candles: 3_000, trades: 5_000 };
/** A stream not delivering for this long switches its view to polling until it delivers again. */
export const STREAM_GRACE_MS = 4_000;

/** Keep polling while the data can come back; stop on errors that will not change (unknown symbol). */
export function pollEvery(ms: number) {
  return (query: { state: { status: string; error: unknown } }) =>
    query.state.status === 'error' && !errorFacts(query.state.error).retryable ? false : ms;
}

/** A feed's `stale` status as an error the views can describe ("… unreachable …, retrying in 5s"). */
export class FeedStaleError extends Error {
  readonly data: { reason: Reason; retryable: true; retryAfterMs?: number };
  constructor(status: FeedStatus) {
    super(status.message ?? `${status.exchange} feed is stale`);
    this.name = 'FeedStaleError';
    this.data = {
      reason: status.reason ?? 'UPSTREAM_UNAVAILABLE',
      retryable: true,
      ...(status.retryInMs === undefined ? {} : { retryAfterMs: status.retryInMs }),
    };
  }
}

/** What a live view shows as its error: the stream's, then the snapshot query's, then a stale feed. */
function liveError(
  streamError: unknown,
  snapshot: { error: unknown; failureReason: unknown },
  stale: FeedStatus | undefined,
): unknown {
  return (
    streamError ?? snapshot.error ?? snapshot.failureReason ?? (stale ? new FeedStaleError(stale) : undefined)
  );
}

/** True once a stream has not been delivering for STREAM_GRACE_MS; false as soon as it delivers. */
export function useStreamFallback(delivering: boolean, enabled = true): boolean {
  const [fallback, setFallback] = useState(false);
  useEffect(() => {
    if (delivering || !enabled) {
      setFallback(false);
      return;
    }
    const id = window.setTimeout(() => setFallback(true), STREAM_GRACE_MS);
    return () => window.clearTimeout(id);
  }, [delivering, enabled]);
  return fallback && enabled;
}

/** The newer of two tickers (stream vs snapshot). */
export function newerTicker(a: Ticker | undefined, b: Ticker | undefined): Ticker | undefined {
  if (!a) return b;
  if (!b) return a;
  const ta = a.timestamp ?? a.fetchedAt;
  const tb = b.timestamp ?? b.fetchedAt;
  return tb > ta ? b : a;
}

/** Coalesces bursts of updates into one render per frame. */
function useBatchedRender(): () => void {
  const [, setVersion] = useState(0);
  const scheduled = useRef<number | undefined>(undefined);
  useEffect(
    () => () => {
      if (scheduled.current !== undefined) window.clearTimeout(scheduled.current);
    },
    [],
  );
  return () => {
    if (scheduled.current !== undefined) return;
    scheduled.current = window.setTimeout(() => {
      scheduled.current = undefined;
      setVersion((v) => v + 1);
    }, 16);
  };
}

interface TickerFeedState {
  key: string;
  tickers: Map<string, Ticker>;
  stale: Map<string, FeedStatus>;
}

/** The watchlist: live tickers of many symbols of one exchange over one subscription. */
export function useLiveTickers(exchange: string, symbols: string[], enabled = true): Live<Ticker[]> {
  const trpc = useTRPC();
  const key = `${exchange}|${symbols.join(',')}`;
  const on = enabled && symbols.length > 0;
  const state = useRef<TickerFeedState>({ key, tickers: new Map(), stale: new Map() });
  if (state.current.key !== key) {
    // keep the values of symbols still listed on the same exchange, so adding one does not blank the others
    const kept = new Map(
      [...state.current.tickers].filter(([s, t]) => t.exchange === exchange && symbols.includes(s)),
    );
    state.current = { key, tickers: kept, stale: new Map() };
  }
  const render = useBatchedRender();
  const sub = useSubscription(
    trpc.stream.tickers.subscriptionOptions(
      { exchange, symbols },
      {
        enabled: on,
        onData(item) {
          if (state.current.key !== key) return;
          const event = item.data;
          if (event.type === 'ticker') {
            state.current.tickers.set(event.ticker.symbol, event.ticker);
            state.current.stale.delete(event.ticker.symbol);
          } else if (event.state === 'stale') state.current.stale.set(event.symbol, event);
          else state.current.stale.delete(event.symbol);
          render();
        },
      },
    ),
  );
  // poll only while the subscription itself is down: an unreachable exchange is the feed's job to
  // retry (it reports `stale`), polling it too would only spend the rate budget
  const fallback = useStreamFallback(sub.status === 'pending', on);
  const snapshot = useQuery({
    ...trpc.market.tickers.queryOptions({ exchange, symbols }),
    enabled: on,
    staleTime: Infinity,
    refetchInterval: fallback ? pollEvery(POLL_MS.tickers) : false,
  });
  const data = symbols
    .map((s) =>
      newerTicker(
        state.current.tickers.get(s),
        snapshot.data?.find((t) => t.symbol === s),
      ),
    )
    .filter((t): t is Ticker => t !== undefined && t.exchange === exchange);
  const stale = state.current.stale.values().next().value;
  return {
    data,
    error: liveError(sub.error, snapshot, stale),
    loading: on && data.length === 0 && !snapshot.error && !sub.error,
  };
}

/** A status event applied to a hook's held state: `stale` shows until a `live` event clears it. */
function withStatus<S extends { key: string; stale?: FeedStatus }>(key: string, event: FeedStatus) {
  return (prev: S): S => ({
    ...(prev.key === key ? prev : ({ key } as S)),
    stale: event.state === 'stale' ? event : undefined,
  });
}

/** One symbol's ticker, live. */
export function useLiveTicker(exchange: string, symbol: string, enabled = true): Live<Ticker> {
  const trpc = useTRPC();
  const key = `${exchange}|${symbol}`;
  const [live, setLive] = useState<{ key: string; ticker?: Ticker; stale?: FeedStatus }>({ key });
  const sub = useSubscription(
    trpc.stream.ticker.subscriptionOptions(
      { exchange, symbol },
      {
        enabled,
        onData(item) {
          const event = item.data;
          if (event.type === 'ticker') setLive({ key, ticker: event.ticker });
          else setLive(withStatus(key, event));
        },
      },
    ),
  );
  const current = live.key === key ? live : { key };
  const fallback = useStreamFallback(sub.status === 'pending', enabled);
  const snapshot = useQuery({
    ...trpc.market.ticker.queryOptions({ exchange, symbol }),
    enabled,
    staleTime: Infinity,
    refetchInterval: fallback ? pollEvery(POLL_MS.ticker) : false,
  });
  const data = newerTicker(current.ticker, snapshot.data);
  return {
    data,
    error: liveError(sub.error, snapshot, current.stale),
    loading: enabled && !data && !snapshot.error && !sub.error,
  };
}

/** The order book to `depth` levels a side, live. */
export function useLiveOrderBook(exchange: string, symbol: string, depth: number): Live<OrderBook> {
  const trpc = useTRPC();
  const key = `${exchange}|${symbol}|${depth}`;
  const [live, setLive] = useState<{ key: string; book?: OrderBook; stale?: FeedStatus }>({ key });
  const sub = useSubscription(
    trpc.stream.orderBook.subscriptionOptions(
      { exchange, symbol, depth },
      {
        onData(item) {
          const event = item.data;
          if (event.type === 'orderBook') setLive({ key, book: event.book });
          else setLive(withStatus(key, event));
        },
      },
    ),
  );
  const current = live.key === key ? live : { key };
  const fallback = useStreamFallback(sub.status === 'pending');
  const snapshot = useQuery({
    ...trpc.market.orderBook.queryOptions({ exchange, symbol, depth }),
    staleTime: Infinity,
    refetchInterval: fallback ? pollEvery(POLL_MS.orderBook) : false,
  });
  const newer =
    current.book && snapshot.data
      ? (current.book.timestamp ?? 0) >= (snapshot.data.timestamp ?? 0)
        ? current.book
        : snapshot.data
      : (current.book ?? snapshot.data);
  return {
    data: newer,
    error: liveError(sub.error, snapshot, current.stale),
    loading: !newer && !snapshot.error && !sub.error,
  };
}

interface AcrossEntry {
  ticker?: Ticker;
  stale?: FeedStatus;
  error?: unknown;
  delivering: boolean;
}

/** One symbol on several exchanges, each live on its own (one failing exchange does not hide the rest). */
export function useLiveTickerAcross(exchanges: string[], symbol: string): Live<Ticker>[] {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const key = `${symbol}|${exchanges.join(',')}`;
  const entries = useRef<{ key: string; map: Map<string, AcrossEntry> }>({ key, map: new Map() });
  if (entries.current.key !== key) entries.current = { key, map: new Map() };
  const render = useBatchedRender();

  useEffect(() => {
    const map = entries.current.map;
    const subs = exchanges.map((exchange) =>
      client.stream.ticker.subscribe(
        { exchange, symbol },
        {
          onStarted() {
            map.set(exchange, { ...map.get(exchange), delivering: true });
            render();
          },
          onData(item) {
            const event = item.data;
            const prev = map.get(exchange);
            if (event.type === 'ticker') map.set(exchange, { ticker: event.ticker, delivering: true });
            else
              map.set(exchange, {
                ...prev,
                delivering: true,
                stale: event.state === 'stale' ? event : undefined,
              });
            render();
          },
          onError(error) {
            map.set(exchange, { ...map.get(exchange), error, delivering: false });
            render();
          },
          onConnectionStateChange(state) {
            if (state.state === 'connecting') {
              const prev = map.get(exchange);
              if (prev?.delivering) {
                map.set(exchange, { ...prev, delivering: false });
                render();
              }
            }
          },
        },
      ),
    );
    return () => subs.forEach((s) => s.unsubscribe());
    // `key` stands for exchanges and symbol
  }, [key, client]);

  const down = exchanges.filter((e) => !entries.current.map.get(e)?.delivering);
  const fallback = useStreamFallback(down.length === 0);
  const snapshots = useQueries({
    queries: exchanges.map((exchange) => ({
      ...trpc.market.ticker.queryOptions({ exchange, symbol }),
      staleTime: Infinity,
      refetchInterval: fallback && down.includes(exchange) ? pollEvery(POLL_MS.ticker) : (false as const),
    })),
  });
  return exchanges.map((exchange, i) => {
    const entry = entries.current.map.get(exchange);
    const snapshot = snapshots[i];
    const data = newerTicker(entry?.ticker, snapshot?.data);
    return {
      data,
      error:
        entry?.error ??
        snapshot?.error ??
        snapshot?.failureReason ??
        (entry?.stale ? new FeedStaleError(entry.stale) : undefined),
      loading: !data,
    };
  });
}
