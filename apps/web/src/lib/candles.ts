import type { Candle } from './types';

/**
 * Merges two candle lists into one sorted by open time, one candle per time; on a clash the
 * candle from `newer` wins (the forming candle replaces its earlier state).
 */
export function mergeCandles(older: readonly Candle[], newer: readonly Candle[]): Candle[] {
  const byTime = new Map<number, Candle>();
  for (const c of older) byTime.set(c[0], c);
  for (const c of newer) byTime.set(c[0], c);
  return [...byTime.values()].sort((a, b) => a[0] - b[0]);
}

/** Milliseconds of a timeframe such as 1m, 4h, 1d, 1w. */
export function timeframeMs(timeframe: string): number {
  const match = /^(\d+)([smhdwMy])$/.exec(timeframe);
  if (!match) return 60_000;
  const n = Number(match[1]);
  const unit = {
    s: 1_000,
    m: 60_000,
    h: 3_600_000,
    d: 86_400_000,
    w: 604_800_000,
    M: 2_592_000_000,
    y: 31_536_000_000,
  }[match[2] as 's' | 'm' | 'h' | 'd' | 'w' | 'M' | 'y'];
  return n * unit;
}
