import { describe, expect, it } from 'vitest';
import {
  direction,
  formatAge,
  formatAmount,
  formatBps,
  formatCompact,
  formatDuration,
  formatPercent,
  formatPrice,
  priceDecimals,
  spreadOf,
} from './format';

describe('prices', () => {
  it('keeps about six significant digits, at least two decimals', () => {
    expect(priceDecimals(64_010.5)).toBe(2);
    expect(priceDecimals(3_370.7)).toBe(2);
    expect(priceDecimals(123.21)).toBe(2);
    expect(priceDecimals(98.765)).toBe(3);
    expect(priceDecimals(0.55124)).toBe(5);
    expect(priceDecimals(0.000_009)).toBe(10);
    expect(priceDecimals(null)).toBe(2);
  });

  it('formats with grouping and a fixed number of decimals', () => {
    expect(formatPrice(64_010.5)).toBe('64,010.50');
    expect(formatPrice(0.1563)).toBe('0.15630');
    expect(formatPrice(12.8, 64_010.5)).toBe('12.80');
    expect(formatPrice(-3.5)).toBe('\u22123.5000');
  });

  it('shows a dash for missing values', () => {
    expect(formatPrice(null)).toBe('\u2014');
    expect(formatPrice(undefined)).toBe('\u2014');
    expect(formatPrice(Number.NaN)).toBe('\u2014');
  });
});

describe('percent, volume, amounts', () => {
  it('signs a change with + and a true minus', () => {
    expect(formatPercent(1.234)).toBe('+1.23%');
    expect(formatPercent(-0.456)).toBe('\u22120.46%');
    expect(formatPercent(0)).toBe('0.00%');
    expect(formatPercent(-0.001)).toBe('0.00%');
    expect(formatPercent(null)).toBe('\u2014');
  });

  it('compacts large numbers', () => {
    expect(formatCompact(1_680_000_000)).toBe('1.68B');
    expect(formatCompact(719_020_000)).toBe('719.02M');
    expect(formatCompact(12_300)).toBe('12.30K');
    expect(formatCompact(987.654)).toBe('987.65');
    expect(formatCompact(2.5e12)).toBe('2.50T');
  });

  it('formats amounts with aligned decimals', () => {
    expect(formatAmount(0.0212)).toBe('0.0212');
    expect(formatAmount(1.5)).toBe('1.5000');
    expect(formatAmount(12_345.678)).toBe('12,345.68');
  });
});

describe('spread', () => {
  it('gives the absolute spread, basis points and mid', () => {
    const s = spreadOf(100, 101);
    expect(s?.abs).toBe(1);
    expect(s?.mid).toBe(100.5);
    expect(s?.bps).toBeCloseTo(99.5, 1);
    expect(formatBps(s?.bps)).toBe('99.5 bps');
  });

  it('has no spread without both sides', () => {
    expect(spreadOf(null, 101)).toBeNull();
    expect(spreadOf(100, undefined)).toBeNull();
    expect(spreadOf(0, 1)).toBeNull();
    expect(formatBps(undefined)).toBe('\u2014');
  });
});

describe('time', () => {
  const now = 1_700_000_000_000;
  it('says how long ago, briefly', () => {
    expect(formatAge(now - 200, now)).toBe('now');
    expect(formatAge(now - 4_000, now)).toBe('4s');
    expect(formatAge(now - 120_000, now)).toBe('2m');
    expect(formatAge(now - 3 * 3_600_000, now)).toBe('3h');
    expect(formatAge(now - 5 * 86_400_000, now)).toBe('5d');
    expect(formatAge(now + 5_000, now)).toBe('now');
    expect(formatAge(null, now)).toBe('\u2014');
  });

  it('formats uptime', () => {
    expect(formatDuration(45)).toBe('45s');
    expect(formatDuration(725)).toBe('12m 05s');
    expect(formatDuration(3 * 3600 + 4 * 60)).toBe('3h 04m');
    expect(formatDuration(2 * 86_400 + 7 * 3600)).toBe('2d 07h');
  });
});

describe('direction', () => {
  it('is the sign of a change', () => {
    expect(direction(2)).toBe(1);
    expect(direction(-0.1)).toBe(-1);
    expect(direction(0)).toBe(0);
    expect(direction(null)).toBe(0);
  });
});
