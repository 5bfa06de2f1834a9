import type { RawLevel } from '../../src/consolidated/levels.js';
import type { VenueBookSnapshot } from '../../src/consolidated/book.js';
import type { VenueFailure } from '../../src/consolidated/venue-state.js';

export const NOW = Date.UTC(2024, 4, 15, 13, 37, 42, 123);
export const INTERVAL = 1_000;

/** A live venue's snapshot received `ageMs` before NOW. */
export function venue(
  exchange: string,
  bids: RawLevel[],
  asks: RawLevel[],
  options: { ageMs?: number; timestamp?: number | null; error?: VenueFailure } = {},
): VenueBookSnapshot {
  const receivedAt = NOW - (options.ageMs ?? 0);
  return {
    exchange,
    book: { bids, asks, timestamp: options.timestamp === undefined ? receivedAt : options.timestamp },
    receivedAt,
    ...(options.error && { error: options.error }),
  };
}

/** Deterministic PRNG (mulberry32) so randomised cases are reproducible. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A plausible venue book around `mid`: `levels` a side on a `tick` grid, best first. */
export function randomBook(
  random: () => number,
  mid: number,
  tick: number,
  levels: number,
): { bids: [number, number][]; asks: [number, number][] } {
  const decimals = Math.max(0, Math.ceil(-Math.log10(tick)));
  const round = (x: number) => Number(x.toFixed(decimals));
  const bids: [number, number][] = [];
  const asks: [number, number][] = [];
  let bid = round(mid - tick);
  let ask = round(mid + tick);
  for (let i = 0; i < levels; i++) {
    bids.push([bid, Number((random() * 2 + 0.001).toFixed(5))]);
    asks.push([ask, Number((random() * 2 + 0.001).toFixed(5))]);
    bid = round(bid - tick * (1 + Math.floor(random() * 3)));
    ask = round(ask + tick * (1 + Math.floor(random() * 3)));
  }
  return { bids, asks };
}
