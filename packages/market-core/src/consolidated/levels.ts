/** One level as exchanges send it: `[price, amount]`, sometimes with extra fields (okx adds a count). */
export type RawLevel = readonly number[];
export type BookSide = 'bids' | 'asks';

function usable(level: RawLevel | undefined): level is RawLevel {
  if (!level || level.length < 2) return false;
  const price = level[0]!;
  const amount = level[1]!;
  return Number.isFinite(price) && price > 0 && Number.isFinite(amount) && amount > 0;
}

/** True when `a` is strictly better than `b` on this side (a higher bid, a lower ask). */
export function isBetter(side: BookSide, a: number, b: number): boolean {
  return side === 'bids' ? a > b : a < b;
}

/**
 * The side's usable levels (finite, positive price and amount), best first. Books from ccxt are
 * already clean and sorted, so they come back as they are, without a copy: one O(n) scan.
 */
export function cleanSide(levels: readonly RawLevel[], side: BookSide): readonly RawLevel[] {
  let clean = true;
  for (let i = 0; i < levels.length && clean; i++) {
    const level = levels[i];
    clean = usable(level) && (i === 0 || !isBetter(side, level[0]!, levels[i - 1]![0]!));
  }
  if (clean) return levels;
  const kept = levels.filter(usable);
  return kept.sort(side === 'bids' ? (a, b) => b[0]! - a[0]! : (a, b) => a[0]! - b[0]!);
}

/** The best usable level of a side in any order, without sorting; undefined when it has none. */
export function bestLevel(levels: readonly RawLevel[], side: BookSide): RawLevel | undefined {
  let best: RawLevel | undefined;
  for (const level of levels)
    if (usable(level) && (!best || isBetter(side, level[0]!, best[0]!))) best = level;
  return best;
}
