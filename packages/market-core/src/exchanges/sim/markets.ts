import { MarketError } from '../../errors.js';
import type { UpstreamMarket } from '../source.js';
import { type AssetModel, type PricedMarket, createAssetModel, hashString } from './price.js';

/** [reference USDT value, volatility scale, daily USDT-pair volume in USD, market correlation]: ballpark real levels. */
const ASSETS: Record<string, readonly [number, number, number, number]> = {
  BTC: [65_000, 1, 1_500e6, 1],
  ETH: [3_000, 1.2, 800e6, 0.85],
  SOL: [150, 1.6, 300e6, 0.75],
  XRP: [0.55, 1.4, 150e6, 0.6],
  DOGE: [0.12, 1.8, 120e6, 0.65],
  BNB: [580, 1.1, 100e6, 0.75],
  ADA: [0.45, 1.4, 40e6, 0.7],
  AVAX: [30, 1.6, 40e6, 0.7],
  DOT: [6.5, 1.4, 25e6, 0.7],
  LINK: [14, 1.5, 35e6, 0.7],
  LTC: [80, 1.2, 30e6, 0.75],
  TRX: [0.13, 0.9, 20e6, 0.5],
  ATOM: [7, 1.4, 15e6, 0.7],
  NEAR: [5, 1.6, 20e6, 0.7],
  UNI: [8, 1.5, 15e6, 0.7],
  ARB: [0.8, 1.7, 25e6, 0.7],
  OP: [1.8, 1.7, 20e6, 0.7],
  SUI: [1.2, 1.8, 40e6, 0.7],
  TON: [5.5, 1.3, 15e6, 0.7],
  XLM: [0.1, 1.3, 10e6, 0.7],
  BCH: [400, 1.3, 20e6, 0.75],
  SHIB: [0.000_02, 1.9, 30e6, 0.6],
  PEPE: [0.000_009, 2, 60e6, 0.55],
  BONK: [0.000_02, 2, 25e6, 0.55],
  WIF: [2, 2, 35e6, 0.55],
  // stablecoin: tiny wobble around the peg
  USDC: [1, 0.002, 200e6, 0],
};

/** Volume share of a pair relative to its /USDT pair. */
const QUOTE_WEIGHT: Record<string, number> = { USDT: 1, USDC: 0.25, BTC: 0.05 };

const PAIRS: readonly string[] = [
  ...['BTC', 'ETH', 'SOL', 'XRP', 'DOGE', 'BNB', 'ADA', 'AVAX', 'DOT', 'LINK', 'LTC', 'TRX', 'ATOM'].map(
    (b) => `${b}/USDT`,
  ),
  ...['NEAR', 'UNI', 'ARB', 'OP', 'SUI', 'TON', 'XLM', 'BCH', 'SHIB', 'PEPE', 'BONK', 'WIF'].map(
    (b) => `${b}/USDT`,
  ),
  'USDC/USDT',
  'BTC/USDC',
  'ETH/USDC',
  'SOL/USDC',
  'ETH/BTC',
  'SOL/BTC',
  'LTC/BTC',
];

/** Order sizes are quoted around this notional, so book/trade amounts look alike across price levels. */
const TYPICAL_ORDER_USD = 2_000;

export interface SimMarket extends PricedMarket {
  readonly symbol: string;
  readonly id: string;
  readonly base: string;
  readonly quote: string;
  readonly seed: number;
  readonly amountDecimals: number;
  /** Typical order size in base units. */
  readonly typicalAmount: number;
  /** Base units traded per day on this market. */
  readonly dailyBaseVolume: number;
  /** Half the bid/ask spread in basis points of the price. */
  readonly halfSpreadBps: number;
}

const models = new Map<string, AssetModel>(
  Object.entries(ASSETS).map(([code, [usd, vol, , beta]]) => [code, createAssetModel(code, usd, vol, beta)]),
);

function asset(code: string): [AssetModel, readonly [number, number, number, number]] {
  const model = models.get(code);
  const spec = ASSETS[code];
  if (!model || !spec) throw new Error(`sim: no asset ${code}`);
  return [model, spec];
}

function buildMarket(symbol: string): SimMarket {
  const [base = '', quote = ''] = symbol.split('/');
  const [baseModel, [baseUsd, vol, volumeUsd]] = asset(base);
  const quoteModel = quote === 'USDT' ? undefined : asset(quote)[0];
  const quoteUsd = quoteModel?.usd ?? 1;
  const reference = baseUsd / quoteUsd;
  const typicalAmount = TYPICAL_ORDER_USD / baseUsd;
  return {
    symbol,
    id: `${base}${quote}`,
    base,
    quote,
    seed: hashString(symbol),
    baseModel,
    quoteModel,
    // ≥ 5 significant digits at the reference level, like real exchanges' tick sizes
    priceDecimals: Math.min(12, Math.max(0, 5 - Math.floor(Math.log10(reference)))),
    amountDecimals: Math.min(8, Math.max(0, 3 - Math.floor(Math.log10(typicalAmount)))),
    typicalAmount,
    dailyBaseVolume: (volumeUsd * (QUOTE_WEIGHT[quote] ?? 0.05)) / baseUsd,
    halfSpreadBps: vol < 0.1 ? 0.5 : vol < 1.3 ? 1 : vol < 1.8 ? 1.5 : 2.5,
  };
}

/** The sim's markets, in listing order. */
export const SIM_MARKETS: readonly SimMarket[] = PAIRS.map(buildMarket);

const BY_SYMBOL = new Map(SIM_MARKETS.map((m) => [m.symbol, m]));

export function findMarket(symbol: string): SimMarket {
  const market = BY_SYMBOL.get(symbol);
  if (!market)
    throw new MarketError('UNKNOWN_SYMBOL', `sim has no market ${symbol.slice(0, 64)}`, { exchange: 'sim' });
  return market;
}

export function toUpstreamMarket(m: SimMarket): UpstreamMarket {
  return { id: m.id, symbol: m.symbol, base: m.base, quote: m.quote, type: 'spot', active: true };
}
