import type { BookSide, RawLevel } from './levels.js';
import type { PriceGrid } from './price-grid.js';
import type { ConsolidatedLevel } from './schemas.js';

/** One venue's side, clean and best first (see cleanSide). */
export interface VenueSide {
  exchange: string;
  levels: readonly RawLevel[];
}

/** Sums of several floats shown as the decimal they stand for (0.1 + 0.2 → 0.3), 15 significant digits. */
function tidy(sum: number): number {
  return Number(sum.toPrecision(15));
}

/**
 * k-way merge of best-first venue sides into at most `depth` grid levels, best first. Stops as soon
 * as `depth` levels are built, so the work is O(depth × venues + levels consumed), never quadratic
 * in book size. Per-venue amounts keep the order of `sides`.
 */
export function mergeSide(
  sides: readonly VenueSide[],
  side: BookSide,
  grid: PriceGrid,
  depth: number,
): ConsolidatedLevel[] {
  const count = sides.length;
  const cursor = new Array<number>(count).fill(0);
  const head = new Array<number>(count);
  const bids = side === 'bids';
  for (let i = 0; i < count; i++) {
    const first = sides[i]!.levels[0];
    head[i] = first ? grid.key(first[0]!, side) : NaN;
  }

  const merged: ConsolidatedLevel[] = [];
  while (merged.length < depth) {
    let best = NaN;
    for (let i = 0; i < count; i++) {
      const key = head[i]!;
      if (key === key && (best !== best || (bids ? key > best : key < best))) best = key; // NaN: side exhausted
    }
    if (best !== best) break;

    const venues: Record<string, number> = {};
    let amount = 0;
    let terms = 0;
    for (let i = 0; i < count; i++) {
      if (head[i] !== best) continue;
      const { exchange, levels } = sides[i]!;
      let at = cursor[i]!;
      let venueAmount = 0;
      let venueTerms = 0;
      let key = best;
      while (key === best) {
        venueAmount += levels[at]![1]!;
        venueTerms++;
        at++;
        const next = levels[at];
        key = next ? grid.key(next[0]!, side) : NaN;
      }
      cursor[i] = at;
      head[i] = key;
      venues[exchange] = venueTerms > 1 ? tidy(venueAmount) : venueAmount;
      amount += venueAmount;
      terms += venueTerms;
    }
    merged.push({ price: grid.price(best), amount: terms > 1 ? tidy(amount) : amount, venues });
  }
  return merged;
}
