import { TRPCError, tracked } from '@trpc/server';
import type { TrackedEnvelope } from '@trpc/server';
import {
  MarketError,
  REASON_STATUS,
  streamOhlcvInputSchema,
  streamOrderBookInputSchema,
  streamTickerInputSchema,
  streamTickersInputSchema,
  toMarketError,
} from '@marketgate/market-core';
import type {
  CandleStreamEvent,
  FeedSubscription,
  OrderBookStreamEvent,
  TickerStreamEvent,
} from '@marketgate/market-core';
import { limitedProcedure, router } from '../trpc.js';
import type { Context } from '../trpc.js';

/** Most concurrent subscriptions one connection (one WebSocket) may hold. */
export const MAX_SUBSCRIPTIONS_PER_CONNECTION = 200;

export function subscriptionCapError(): MarketError {
  return new MarketError(
    'RATE_LIMITED',
    `This connection already holds ${MAX_SUBSCRIPTIONS_PER_CONNECTION} subscriptions (the cap); stop one or open another connection`,
  );
}

/** MarketError → TRPCError with the contract's code; the cause keeps the reason for the error formatter. */
export function toTrpcError(error: unknown): TRPCError {
  if (error instanceof TRPCError) return error;
  const cause = toMarketError(error);
  return new TRPCError({ code: REASON_STATUS[cause.reason].code, message: cause.message, cause });
}

/** Subscriptions per connection context: a WebSocket's context lives as long as the socket. */
const openPerContext = new WeakMap<object, { count: number }>();

/**
 * Relays a hub subscription as tracked() events: the id lets a reconnecting client resume (the
 * latest value is not sent again when the client already has it). Fatal feed errors end the
 * subscription with their reason.
 */
async function* relay<E>(
  ctx: Context,
  open: () => Promise<FeedSubscription>,
): AsyncGenerator<TrackedEnvelope<E>, void, unknown> {
  let counter = openPerContext.get(ctx);
  if (!counter) openPerContext.set(ctx, (counter = { count: 0 }));
  if (counter.count >= MAX_SUBSCRIPTIONS_PER_CONNECTION) throw toTrpcError(subscriptionCapError());
  counter.count++;
  let sub: FeedSubscription | undefined;
  try {
    sub = await open();
    for await (const update of sub) yield tracked(update.id, update.event as E);
  } catch (error) {
    throw toTrpcError(error);
  } finally {
    sub?.close();
    counter.count--;
  }
}

export const streamRouter = router({
  /** Live ticker of one symbol: `{ type: 'ticker', ticker }` on each change, `{ type: 'status' }` when stale/live. */
  ticker: limitedProcedure
    .input(streamTickerInputSchema)
    .subscription(({ ctx, input, signal }) =>
      relay<TickerStreamEvent>(ctx, () => ctx.feeds.subscribeTicker(input, signal)),
    ),
  /** Live tickers of up to 100 symbols of one exchange (polled ones share one fetchTickers per interval). */
  tickers: limitedProcedure
    .input(streamTickersInputSchema)
    .subscription(({ ctx, input, signal }) =>
      relay<TickerStreamEvent>(ctx, () => ctx.feeds.subscribeTickers(input, signal)),
    ),
  /** The forming candle on each change, and each candle once more with `closed: true` when its period ends. */
  ohlcv: limitedProcedure
    .input(streamOhlcvInputSchema)
    .subscription(({ ctx, input, signal }) =>
      relay<CandleStreamEvent>(ctx, () => ctx.feeds.subscribeOhlcv(input, signal)),
    ),
  /** The order book to `depth` levels a side, on each change. */
  orderBook: limitedProcedure
    .input(streamOrderBookInputSchema)
    .subscription(({ ctx, input, signal }) =>
      relay<OrderBookStreamEvent>(ctx, () => ctx.feeds.subscribeOrderBook(input, signal)),
    ),
});
