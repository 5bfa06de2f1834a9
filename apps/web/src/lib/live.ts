import { keepPreviousData, useQueries, useQuery } from '@tanstack/react-query';
import { errorFacts } from './errors';
import { useTRPC } from './trpc';
import type { OrderBook, Ticker } from './types';

/**
 * Live data for the views. Every hook hides where updates come from, so the views do not change
 * when the transport does.
 */

export interface Live<T> {
  data: T | undefined;
  error: unknown;
  /** Nothing to show yet (first load). */
  loading: boolean;
}

/** Poll intervals, kept inside the default per-client budget (120 requests a minute). */
export const POLL_MS = { tickers: 1_000, ticker: 2_000, orderBook: 2_000, candles: 3_000, trades: 5_000 };

/** Keep polling while the data can come back; stop on errors that will not change (unknown symbol). */
export function pollEvery(ms: number) {
  return (query: { state: { status: string; error: unknown } }) =>
    query.state.status === 'error' && !errorFacts(query.state.error).retryable ? false : ms;
}

export function useLiveTickers(exchange: string, symbols: string[], enabled = true): Live<Ticker[]> {
  const trpc = useTRPC();
  const query = useQuery({
    ...trpc.market.tickers.queryOptions({ exchange, symbols }),
    enabled: enabled && symbols.length > 0,
    refetchInterval: pollEvery(POLL_MS.tickers),
    placeholderData: keepPreviousData,
  });
  return { data: query.data, error: query.error ?? query.failureReason, loading: query.isPending && enabled && symbols.length > 0 };
}

export function useLiveTicker(exchange: string, symbol: string, enabled = true): Live<Ticker> {
  const trpc = useTRPC();
  const query = useQuery({
    ...trpc.market.ticker.queryOptions({ exchange, symbol }),
    enabled,
    refetchInterval: pollEvery(POLL_MS.ticker),
  });
  return { data: query.data, error: query.error ?? query.failureReason, loading: query.isPending && enabled };
}

export function useLiveOrderBook(exchange: string, symbol: string, depth: number): Live<OrderBook> {
  const trpc = useTRPC();
  const query = useQuery({
    ...trpc.market.orderBook.queryOptions({ exchange, symbol, depth }),
    refetchInterval: pollEvery(POLL_MS.orderBook),
  });
  return { data: query.data, error: query.error ?? query.failureReason, loading: query.isPending };
}

/** One symbol on several exchanges, each live on its own (one failing exchange does not hide the rest). */
export function useLiveTickerAcross(exchanges: string[], symbol: string): Live<Ticker>[] {
  const trpc = useTRPC();
  const queries = useQueries({
    queries: exchanges.map((exchange) => ({
      ...trpc.market.ticker.queryOptions({ exchange, symbol }),
      refetchInterval: pollEvery(POLL_MS.ticker),
    })),
  });
  return queries.map((q) => ({ data: q.data, error: q.error ?? q.failureReason, loading: q.isPending }));
}
