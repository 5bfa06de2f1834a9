import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '@marketgate/server';

export type RouterOutputs = inferRouterOutputs<AppRouter>;
export type RouterInputs = inferRouterInputs<AppRouter>;

export type Ticker = RouterOutputs['market']['ticker'];
export type OrderBook = RouterOutputs['market']['orderBook'];
export type Ohlcv = RouterOutputs['market']['ohlcv'];
export type Candle = Ohlcv['candles'][number];
export type Trade = RouterOutputs['market']['trades'][number];
export type ExchangeInfo = RouterOutputs['exchanges']['list'][number];
export type MarketSummary = RouterOutputs['exchanges']['markets'][number];
export type Stats = RouterOutputs['system']['stats'];
export type Health = RouterOutputs['system']['health'];
