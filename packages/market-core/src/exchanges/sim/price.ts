/**
 * The sim's price model: the value of an asset at time t is a pure, O(1) function of (asset, t),
 * so history, tickers and streams agree with each other and across restarts. No state, no Math.random.
 *
 * value(t) = usd × exp(vol × (Σ sinusoids with hashed phases + smooth hashed value noise))
 */

const TWO_PI = 2 * Math.PI;
const UINT32 = 4_294_967_296;

/** FNV-1a: a stable 32-bit seed per asset or market code. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function fmix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** Uniform in [0, 1) from (seed, salt, n); n is any integer-valued number (split so t/1000 etc. never wraps). */
export function hashUnit(seed: number, salt: number, n: number): number {
  let h = fmix(seed ^ Math.imul(salt + 1, 0x9e3779b1));
  h = fmix(h ^ (n >>> 0));
  h = fmix(h ^ (Math.floor(n / UINT32) | 0));
  return (h >>> 0) / UINT32;
}

/** Non-negative remainder, for times before the epoch too. */
export function mod(a: number, m: number): number {
  const r = a % m;
  return r < 0 ? r + m : r;
}

/** Value noise in [-1, 1]: hashed knots every `knotMs`, smoothstep between them (continuous in t). */
export function smoothNoise(seed: number, salt: number, t: number, knotMs: number): number {
  const x = t / knotMs;
  const n = Math.floor(x);
  const f = x - n;
  const w = f * f * (3 - 2 * f);
  const a = hashUnit(seed, salt, n);
  const b = hashUnit(seed, salt, n + 1);
  return 2 * (a + (b - a) * w) - 1;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Cycles from minutes to a quarter (period ms, log amplitude at vol 1): the slow ones make the trend. */
const WAVES: readonly (readonly [number, number])[] = [
  [90 * DAY, 0.15],
  [30 * DAY, 0.08],
  [7 * DAY, 0.04],
  [DAY, 0.02],
  [6 * HOUR, 0.01],
  [HOUR, 0.005],
  [7 * MINUTE, 0.002],
];

/** Noise octaves (knot spacing ms, log amplitude): the fast one makes every second's tick move. */
const NOISE: readonly (readonly [number, number])[] = [
  [300_000, 0.003],
  [60_000, 0.0015],
  [10_000, 0.0008],
];

/** One log-price path: hashed per-seed periods and phases, so paths do not move in lockstep. */
interface Path {
  readonly seed: number;
  readonly periods: readonly number[];
  readonly phases: readonly number[];
}

function createPath(name: string): Path {
  const seed = hashString(name);
  const periods = WAVES.map(([p], k) => Math.round(p * (0.85 + 0.3 * hashUnit(seed, 100 + k, 0))));
  const phases = WAVES.map((_, k) => hashUnit(seed, 200 + k, 0));
  return { seed, periods, phases };
}

function pathAt(path: Path, t: number): number {
  let x = 0;
  for (let k = 0; k < WAVES.length; k++) {
    const period = path.periods[k]!;
    // reduce before multiplying by 2π: keeps full precision for epoch-sized t
    x += WAVES[k]![1] * Math.sin(TWO_PI * (mod(t, period) / period + path.phases[k]!));
  }
  for (let k = 0; k < NOISE.length; k++) x += NOISE[k]![1] * smoothNoise(path.seed, 300 + k, t, NOISE[k]![0]);
  return x;
}

/** The crypto market's common factor: coins mostly move with it, as they do with BTC in reality. */
const MARKET_PATH = createPath('sim:market');

export interface AssetModel {
  readonly code: string;
  /** Reference value in USDT. */
  readonly usd: number;
  /** Scales every amplitude: 1 ≈ BTC, 2 ≈ a meme coin, ~0 for stablecoins. */
  readonly vol: number;
  /** Correlation with the market factor (1: BTC itself, 0: stablecoins). */
  readonly beta: number;
  readonly path: Path;
}

export function createAssetModel(code: string, usd: number, vol: number, beta: number): AssetModel {
  return { code, usd, vol, beta, path: createPath(code) };
}

/** The market factor at t; computed once per price so a cross pair does not evaluate it twice. */
function marketAt(t: number): number {
  return pathAt(MARKET_PATH, t);
}

/** Value of one unit of the asset in USDT at time t (ms), given the market factor at t. */
export function assetValue(a: AssetModel, t: number, market: number = marketAt(t)): number {
  // β·market + √(1−β²)·own keeps the overall amplitude independent of β
  const own = a.beta < 1 ? Math.sqrt(1 - a.beta * a.beta) * pathAt(a.path, t) : 0;
  return a.usd * Math.exp(a.vol * (a.beta * market + own));
}

/** What pricing needs from a market; quote undefined means USDT, the numeraire (always 1). */
export interface PricedMarket {
  readonly baseModel: AssetModel;
  readonly quoteModel: AssetModel | undefined;
  /** Fixed decimals per market: rounding to one tick grid is monotone, so OHLC/book invariants survive it. */
  readonly priceDecimals: number;
}

/** Price in integer ticks (units of 10^-priceDecimals); cross pairs are ratios, so ETH/BTC ≈ ETH/USDT ÷ BTC/USDT. */
export function priceTicks(m: PricedMarket, t: number): number {
  const market = marketAt(t);
  const base = assetValue(m.baseModel, t, market);
  const value = m.quoteModel ? base / assetValue(m.quoteModel, t, market) : base;
  return Math.max(1, Math.round(value * 10 ** m.priceDecimals));
}

/** Integer ticks → price; integer ÷ power of ten gives the double nearest the decimal (no 0.1+0.2 noise). */
export function ticksToPrice(m: PricedMarket, ticks: number): number {
  return ticks / 10 ** m.priceDecimals;
}

/** p(symbol, t), rounded to the market's precision. */
export function price(m: PricedMarket, t: number): number {
  return ticksToPrice(m, priceTicks(m, t));
}

/** Rounds an amount to `decimals`, never below one unit of that precision (amounts stay positive). */
export function roundAmount(x: number, decimals: number): number {
  const scale = 10 ** decimals;
  return Math.max(1, Math.round(x * scale)) / scale;
}

export function roundTo(x: number, decimals: number): number {
  const scale = 10 ** decimals;
  return Math.round(x * scale) / scale;
}
