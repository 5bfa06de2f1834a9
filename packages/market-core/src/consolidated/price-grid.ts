import type { BookSide } from './levels.js';

/**
 * Where a price lands when levels are merged: its grid key, and the price a key stands for.
 * Without a step every distinct price is its own key; with a step, bids fall to the grid line at
 * or below them and asks rise to the one at or above, so a grouped level never looks better than
 * the orders in it.
 */
export interface PriceGrid {
  key(price: number, side: BookSide): number;
  price(key: number): number;
}

const EXACT: PriceGrid = { key: (price) => price, price: (key) => key };

/** Relative tolerance for "already on the grid": far above float error (~1e-16), far below any tick. */
const ON_GRID = 1e-12;
const MAX_DECIMALS = 15;

/** `step` as an integer count of 10^-decimals, when it has a short decimal form (0.1 → 1 × 10^-1). */
function decimalForm(step: number): { units: number; scale: number } | undefined {
  for (let decimals = 0; decimals <= MAX_DECIMALS; decimals++) {
    const scale = 10 ** decimals;
    const scaled = step * scale;
    const units = Math.round(scaled);
    if (units > 0 && Math.abs(scaled - units) <= 1e-9 * scaled) return { units, scale };
  }
  return undefined;
}

export function priceGrid(step: number | undefined): PriceGrid {
  if (step === undefined) return EXACT;
  if (!(Number.isFinite(step) && step > 0))
    throw new RangeError(`step must be a positive number, got ${step}`);
  const form = decimalForm(step);
  // 100.3 / 0.1 is 1002.9999999999999 in floats: snap quotients within tolerance of an integer first
  const snapped = (price: number): number => {
    const q = price / step;
    const r = Math.round(q);
    return Math.abs(q - r) <= ON_GRID * Math.max(1, Math.abs(q)) ? r : q;
  };
  return {
    key: (price, side) => (side === 'bids' ? Math.floor(snapped(price)) : Math.ceil(snapped(price))),
    // integer × integer / 10^d is the double nearest the decimal grid price (0.1 × 3 would be 0.30000000000000004)
    price: (key) =>
      form && Math.abs(key * form.units) <= Number.MAX_SAFE_INTEGER
        ? (key * form.units) / form.scale
        : key * step,
  };
}
