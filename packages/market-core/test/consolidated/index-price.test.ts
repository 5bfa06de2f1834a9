import { describe, expect, it } from 'vitest';
import {
  computeIndexPrice,
  median,
  priceFromBook,
  priceFromTicker,
  venuePrice,
} from '../../src/consolidated/index-price.js';
import type { IndexOptions, VenuePriceSnapshot } from '../../src/consolidated/index-price.js';
import { indexPriceSchema } from '../../src/consolidated/schemas.js';
import { INTERVAL, NOW, venue } from './helpers.js';

const options: IndexOptions = { symbol: 'BTC/USDT', now: NOW, intervalMs: INTERVAL };

function priced(
  exchange: string,
  price: number | null,
  extra: Partial<VenuePriceSnapshot> = {},
): VenuePriceSnapshot {
  return { exchange, price, timestamp: NOW, receivedAt: NOW, ...extra };
}

const summary = (index: ReturnType<typeof computeIndexPrice>) =>
  index.constituents.map((c) => `${c.exchange}:${c.included ? 'in' : c.excludedBecause}`);

describe('median', () => {
  it('takes the middle value, or the mean of the middle two, whatever the input order', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
    expect(median([])).toBeNaN();
  });
});

describe('venuePrice', () => {
  it('is the mid of bid and ask, else last, else null', () => {
    expect(venuePrice({ bid: 100, ask: 101, last: 50 })).toBe(100.5);
    expect(venuePrice({ bid: 100, ask: null, last: 99 })).toBe(99);
    expect(venuePrice({ bid: 0, ask: 101, last: null })).toBeNull();
    expect(venuePrice({})).toBeNull();
  });

  it('derives a snapshot from a book (top of book, any level order) and from a ticker', () => {
    const fromBook = priceFromBook(
      venue(
        'a',
        [
          [99, 1],
          [100, 1],
        ],
        [
          [102, 1],
          [101, 1],
        ],
        { timestamp: 5 },
      ),
    );
    expect(fromBook).toMatchObject({ exchange: 'a', price: 100.5, timestamp: 5, receivedAt: NOW });
    expect(priceFromBook({ exchange: 'b', book: null, receivedAt: null })).toMatchObject({
      price: null,
      timestamp: null,
    });
    expect(priceFromTicker('c', { bid: null, ask: null, last: 42, timestamp: null }, NOW - 3)).toEqual({
      exchange: 'c',
      price: 42,
      timestamp: NOW - 3,
      receivedAt: NOW - 3,
      error: null,
    });
    expect(priceFromTicker('d', null, null, { reason: 'UPSTREAM_TIMEOUT' })).toMatchObject({
      price: null,
      error: { reason: 'UPSTREAM_TIMEOUT' },
    });
  });
});

describe('computeIndexPrice', () => {
  it('is the median of fresh venue prices, constituents listed in request order', () => {
    const index = computeIndexPrice([priced('a', 100.2), priced('b', 100), priced('c', 100.1)], options);
    expect(index).toEqual({
      symbol: 'BTC/USDT',
      price: 100.1,
      method: 'median',
      timestamp: NOW,
      constituents: [
        { exchange: 'a', price: 100.2, timestamp: NOW, included: true },
        { exchange: 'b', price: 100, timestamp: NOW, included: true },
        { exchange: 'c', price: 100.1, timestamp: NOW, included: true },
      ],
    });
    expect(indexPriceSchema.parse(index)).toEqual(index);
  });

  it('excludes a venue beyond 5 × MAD from the median and takes the median of the rest', () => {
    // median 100.15, deviations 0.15, 0.05, 0.05, 0.15, 29.85 → MAD 0.15, band 0.75
    const index = computeIndexPrice(
      [
        priced('a', 100),
        priced('b', 100.1),
        priced('c', 100.2),
        priced('d', 100.3),
        priced('e', 130),
        priced('f', 100.15),
      ],
      options,
    );
    expect(summary(index)).toEqual(['a:in', 'b:in', 'c:in', 'd:in', 'e:outlier', 'f:in']);
    expect(index.price).toBe(100.15);
    expect(index.constituents[4]).toEqual({
      exchange: 'e',
      price: 130,
      timestamp: NOW,
      included: false,
      excludedBecause: 'outlier',
    });
  });

  it('keeps a venue just inside 5 × MAD and drops one just outside', () => {
    // median 100, MAD 1 (deviations 1, 1, 0, 1, x) → band 5
    const inside = computeIndexPrice(
      [priced('a', 99), priced('b', 101), priced('c', 100), priced('d', 99), priced('e', 105)],
      options,
    );
    expect(summary(inside)).toContain('e:in');
    const outside = computeIndexPrice(
      [priced('a', 99), priced('b', 101), priced('c', 100), priced('d', 99), priced('e', 105.01)],
      options,
    );
    expect(summary(outside)).toContain('e:outlier');
  });

  it('treats a MAD of 0 sensibly: equal prices exclude nothing, a tiny deviation stays, a far one goes', () => {
    const equal = computeIndexPrice([priced('a', 100), priced('b', 100), priced('c', 100)], options);
    expect(summary(equal)).toEqual(['a:in', 'b:in', 'c:in']);
    expect(equal.price).toBe(100);
    // MAD is 0 here; the 1 bp floor makes the band 5 bp (0.05)
    const near = computeIndexPrice([priced('a', 100), priced('b', 100), priced('c', 100.04)], options);
    expect(summary(near)).toEqual(['a:in', 'b:in', 'c:in']);
    const far = computeIndexPrice([priced('a', 100), priced('b', 100), priced('c', 100.06)], options);
    expect(summary(far)).toEqual(['a:in', 'b:in', 'c:outlier']);
    expect(far.price).toBe(100);
  });

  it('never calls either of two venues an outlier (both sit exactly one MAD away)', () => {
    const index = computeIndexPrice([priced('a', 100), priced('b', 200)], options);
    expect(summary(index)).toEqual(['a:in', 'b:in']);
    expect(index.price).toBe(150);
  });

  it('excludes stale (older than 3 intervals, or no price) and failed venues with the reason', () => {
    const index = computeIndexPrice(
      [
        priced('fresh', 100),
        priced('edge', 101, { receivedAt: NOW - 3 * INTERVAL }),
        priced('old', 50, { receivedAt: NOW - 3 * INTERVAL - 1, timestamp: NOW - 4 * INTERVAL }),
        priced('none', null),
        priced('never', null, { receivedAt: null, timestamp: null }),
        priced('down', 100, { error: { reason: 'UPSTREAM_UNAVAILABLE' } }),
      ],
      options,
    );
    expect(summary(index)).toEqual([
      'fresh:in',
      'edge:in',
      'old:stale',
      'none:stale',
      'never:stale',
      'down:error',
    ]);
    expect(index.price).toBe(100.5);
    expect(index.constituents[2]).toEqual({
      exchange: 'old',
      price: 50,
      timestamp: NOW - 4 * INTERVAL,
      included: false,
      excludedBecause: 'stale',
    });
  });

  it('has a null price when no constituent is included', () => {
    const index = computeIndexPrice(
      [
        priced('a', 100, { receivedAt: NOW - 10 * INTERVAL }),
        priced('b', 100, { error: { reason: 'UPSTREAM_ERROR' } }),
      ],
      options,
    );
    expect(index.price).toBeNull();
    expect(summary(index)).toEqual(['a:stale', 'b:error']);
    expect(indexPriceSchema.parse(index)).toEqual(index);
  });

  it('treats a non-finite or non-positive price as no price', () => {
    const index = computeIndexPrice([priced('a', Number.NaN), priced('b', -1), priced('c', 10)], options);
    expect(index.constituents.map((c) => c.price)).toEqual([null, null, 10]);
    expect(summary(index)).toEqual(['a:stale', 'b:stale', 'c:in']);
  });
});
