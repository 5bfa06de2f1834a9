import type { Capabilities } from '../schemas.js';

/**
 * What the service needs from an exchange: a ccxt-shaped subset, so the real ccxt adapter and the
 * simulated exchange are interchangeable and both go through the same normalisation.
 */

export interface UpstreamMarket {
  id: string;
  symbol: string;
  base: string;
  quote: string;
  type?: string | undefined;
  active?: boolean | undefined | null;
}

export interface UpstreamTicker {
  symbol: string;
  timestamp?: number | undefined;
  last?: number | undefined;
  bid?: number | undefined;
  ask?: number | undefined;
  high?: number | undefined;
  low?: number | undefined;
  open?: number | undefined;
  close?: number | undefined;
  baseVolume?: number | undefined;
  quoteVolume?: number | undefined;
  change?: number | undefined;
  percentage?: number | undefined;
  vwap?: number | undefined;
}

/** [timestamp, open, high, low, close, volume], as ccxt returns them (values may be undefined). */
export type UpstreamCandle = (number | undefined)[];

export interface UpstreamOrderBook {
  timestamp?: number | undefined;
  bids: (number | undefined)[][];
  asks: (number | undefined)[][];
}

export interface UpstreamTrade {
  id?: string | undefined;
  timestamp?: number | undefined;
  side?: string | undefined;
  price: number;
  amount?: number | undefined;
  cost?: number | undefined;
}

export interface ExchangeSource {
  readonly id: string;
  readonly name: string;
  readonly simulated: boolean;
  readonly capabilities: Capabilities;
  /** True when one fetchTickers call answers many symbols; otherwise the service fans out fetchTicker. */
  readonly nativeTickers: boolean;
  readonly timeframes: readonly string[];
  /** Most candles one upstream fetchOHLCV request returns. */
  readonly ohlcvPageLimit: number;
  /** Pause between polls of a live feed this exchange tolerates, in ms. */
  readonly minPollIntervalMs: number;

  loadMarkets(reload?: boolean): Promise<Record<string, UpstreamMarket>>;
  fetchTicker(symbol: string): Promise<UpstreamTicker>;
  fetchTickers(symbols: string[]): Promise<Record<string, UpstreamTicker>>;
  fetchOHLCV(
    symbol: string,
    timeframe: string,
    since: number | undefined,
    limit: number,
  ): Promise<UpstreamCandle[]>;
  fetchOrderBook(symbol: string, limit: number): Promise<UpstreamOrderBook>;
  fetchTrades(symbol: string, limit: number): Promise<UpstreamTrade[]>;

  /** Exchange-native streams (ccxt.pro); undefined where the exchange has none. Each call resolves on the next update. */
  readonly watch?: {
    ticker?(symbol: string): Promise<UpstreamTicker>;
    tickers?(symbols: string[]): Promise<Record<string, UpstreamTicker>>;
    ohlcv?(symbol: string, timeframe: string): Promise<UpstreamCandle[]>;
    orderBook?(symbol: string, limit: number): Promise<UpstreamOrderBook>;
    /** Ends the exchange-side subscription of a channel (ccxt.pro unWatch*), where the exchange has it. */
    unwatch?(channel: 'ticker' | 'ohlcv' | 'orderBook', symbol: string, timeframe?: string): Promise<void>;
    /** Closes the exchange's stream connections: called when its last live feed stops. */
    closeStreams?(): Promise<void>;
  };

  close(): Promise<void>;
}
