import { afterEach, describe, expect, it, vi } from 'vitest';
import { consolidateBook } from '../../src/consolidated/book.js';
import type { ConsolidateOptions, VenueBookSnapshot } from '../../src/consolidated/book.js';
import { consolidatedBookSchema } from '../../src/consolidated/schemas.js';
import type { ConsolidatedLevel } from '../../src/consolidated/schemas.js';
import { INTERVAL, NOW, prng, randomBook, venue } from './helpers.js';

const options = (extra: Partial<ConsolidateOptions> = {}): ConsolidateOptions => ({
  symbol: 'BTC/USDT',
  depth: 20,
  now: NOW,
  intervalMs: INTERVAL,
  ...extra,
});

/** Independent reference: bucket every level in a Map, sort the keys, cut to depth. */
function reference(
  venues: { exchange: string; bids: number[][]; asks: number[][] }[],
  side: 'bids' | 'asks',
  depth: number,
  step?: number,
): { price: number; venues: Record<string, number> }[] {
  const buckets = new Map<number, Record<string, number>>();
  for (const v of venues)
    for (const [price, amount] of v[side]) {
      // integer grid index computed with decimal strings, a different road from the implementation
      const key =
        step === undefined ? price! : side === 'bids' ? gridFloor(price!, step) : gridCeil(price!, step);
      const bucket = buckets.get(key) ?? {};
      bucket[v.exchange] = (bucket[v.exchange] ?? 0) + amount!;
      buckets.set(key, bucket);
    }
  const keys = [...buckets.keys()].sort((a, b) => (side === 'bids' ? b - a : a - b)).slice(0, depth);
  return keys.map((key) => ({ price: key, venues: buckets.get(key)! }));
}

/** Grid prices via scaled integers (prices and steps here have at most 8 decimals). */
const scaled = (x: number) => Math.round(x * 1e8);
const gridFloor = (price: number, step: number) =>
  (Math.floor(scaled(price) / scaled(step)) * scaled(step)) / 1e8;
const gridCeil = (price: number, step: number) =>
  (Math.ceil(scaled(price) / scaled(step)) * scaled(step)) / 1e8;

function expectLevels(
  actual: ConsolidatedLevel[],
  expected: { price: number; venues: Record<string, number> }[],
) {
  expect(actual.map((l) => l.price)).toEqual(expected.map((l) => l.price));
  actual.forEach((level, i) => {
    const want = expected[i]!.venues;
    expect(Object.keys(level.venues).sort()).toEqual(Object.keys(want).sort());
    for (const [exchange, amount] of Object.entries(want))
      expect(level.venues[exchange]).toBeCloseTo(amount, 9);
    expect(level.amount).toBeCloseTo(
      Object.values(want).reduce((a, b) => a + b, 0),
      9,
    );
  });
}

describe('consolidateBook: merging', () => {
  it('merges levels across venues, bids descending and asks ascending, with per-venue amounts', () => {
    const book = consolidateBook(
      [
        venue(
          'a',
          [
            [100, 1],
            [99, 2],
          ],
          [
            [101, 1],
            [102, 2],
          ],
        ),
        venue(
          'b',
          [
            [100, 0.5],
            [99.5, 3],
          ],
          [
            [101.5, 4],
            [102, 1],
          ],
        ),
      ],
      options(),
    );
    expect(book.bids).toEqual([
      { price: 100, amount: 1.5, venues: { a: 1, b: 0.5 } },
      { price: 99.5, amount: 3, venues: { b: 3 } },
      { price: 99, amount: 2, venues: { a: 2 } },
    ]);
    expect(book.asks).toEqual([
      { price: 101, amount: 1, venues: { a: 1 } },
      { price: 101.5, amount: 4, venues: { b: 4 } },
      { price: 102, amount: 3, venues: { a: 2, b: 1 } },
    ]);
    expect(book.symbol).toBe('BTC/USDT');
    expect(book.timestamp).toBe(NOW);
    expect(book.venues).toEqual([
      { exchange: 'a', state: 'ok', timestamp: NOW },
      { exchange: 'b', state: 'ok', timestamp: NOW },
    ]);
    expect(consolidatedBookSchema.parse(book)).toEqual(book);
  });

  it('sorts unsorted books and drops unusable levels (zero, negative, NaN), keeping extra level fields out', () => {
    const book = consolidateBook(
      [
        venue(
          'a',
          [
            [99, 1],
            [100, 2, 7],
            [98, 0],
            [Number.NaN, 1],
          ],
          [
            [102, 1],
            [101, -1],
            [101.5, 2],
          ],
        ),
        venue(
          'b',
          [[100, 1]],
          [
            [103, Number.POSITIVE_INFINITY],
            [103, 1],
          ],
        ),
      ],
      options(),
    );
    expect(book.bids).toEqual([
      { price: 100, amount: 3, venues: { a: 2, b: 1 } },
      { price: 99, amount: 1, venues: { a: 1 } },
    ]);
    expect(book.asks.map((l) => l.price)).toEqual([101.5, 102, 103]);
  });

  it('truncates each side to depth after merging', () => {
    const a = venue(
      'a',
      [
        [100, 1],
        [98, 1],
        [96, 1],
      ],
      [
        [101, 1],
        [103, 1],
        [105, 1],
      ],
    );
    const b = venue(
      'b',
      [
        [99, 1],
        [97, 1],
        [95, 1],
      ],
      [
        [102, 1],
        [104, 1],
        [106, 1],
      ],
    );
    const book = consolidateBook([a, b], options({ depth: 4 }));
    expect(book.bids.map((l) => l.price)).toEqual([100, 99, 98, 97]);
    expect(book.asks.map((l) => l.price)).toEqual([101, 102, 103, 104]);
    const grouped = consolidateBook([a, b], options({ depth: 2, step: 2 }));
    // bids floor to even prices: 100 | 98, 99 | 96, 97 → depth 2 keeps 100 and 98
    expect(grouped.bids).toEqual([
      { price: 100, amount: 1, venues: { a: 1 } },
      { price: 98, amount: 2, venues: { a: 1, b: 1 } },
    ]);
    expect(grouped.asks).toEqual([
      { price: 102, amount: 2, venues: { a: 1, b: 1 } },
      { price: 104, amount: 2, venues: { a: 1, b: 1 } },
    ]);
  });

  it('matches an independent reference on random books of 3 venues × 100 levels, with and without a step', () => {
    const random = prng(42);
    for (let round = 0; round < 10; round++) {
      const books = ['x', 'y', 'z'].map((exchange, i) => ({
        exchange,
        ...randomBook(random, 30_000 + i * 0.7 + random() * 3, [0.1, 0.01, 0.5][i]!, 100),
      }));
      const snapshots = books.map((b) => venue(b.exchange, b.bids, b.asks));
      for (const step of [undefined, 0.1, 0.25, 1, 5, 0.01]) {
        const depth = 1 + Math.floor(random() * 100);
        const book = consolidateBook(snapshots, options({ depth, step }));
        expectLevels(book.bids, reference(books, 'bids', depth, step));
        expectLevels(book.asks, reference(books, 'asks', depth, step));
      }
    }
  });
});

describe('consolidateBook: grouping to a step', () => {
  it('floors bids and ceils asks to the grid, float-safe, and sums amounts as decimals', () => {
    const book = consolidateBook(
      [
        venue(
          'a',
          [
            [100.3, 0.1],
            [100.29, 0.2],
          ],
          [
            [100.31, 0.1],
            [100.4, 0.2],
          ],
        ),
        venue('b', [[100.39, 0.2]], [[100.41, 0.7]]),
      ],
      options({ step: 0.1 }),
    );
    // 100.3 / 0.1 is 1002.9999999999999 in floats: still the 100.3 line, not 100.2
    expect(book.bids).toEqual([
      { price: 100.3, amount: 0.3, venues: { a: 0.1, b: 0.2 } },
      { price: 100.2, amount: 0.2, venues: { a: 0.2 } },
    ]);
    expect(book.asks).toEqual([
      { price: 100.4, amount: 0.3, venues: { a: 0.3 } },
      { price: 100.5, amount: 0.7, venues: { b: 0.7 } },
    ]);
  });

  it('gives grid prices as their exact decimals (no 0.30000000000000004)', () => {
    const book = consolidateBook(
      [
        venue(
          'a',
          [
            [0.35, 1],
            [0.0000123, 1],
          ],
          [[0.3, 1]],
        ),
        venue('b', [], [[0.7000001, 1]]),
      ],
      options({ step: 0.1 }),
    );
    expect(book.bids.map((l) => l.price)).toEqual([0.3, 0]);
    expect(book.asks.map((l) => l.price)).toEqual([0.3, 0.8]);
    const fine = consolidateBook(
      [venue('a', [[0.00001237, 1]], [[0.00001241, 1]]), venue('b', [[0.00001232, 2]], [])],
      options({ step: 0.0000001 }),
    );
    expect(fine.bids).toEqual([{ price: 0.0000123, amount: 3, venues: { a: 1, b: 2 } }]);
    expect(fine.asks).toEqual([{ price: 0.0000125, amount: 1, venues: { a: 1 } }]);
  });

  it('groups on coarse and non-decimal steps (25, 0.25)', () => {
    const book = consolidateBook(
      [
        venue(
          'a',
          [
            [30_049.9, 1],
            [30_025, 1],
          ],
          [[30_050.1, 1]],
        ),
        venue('b', [[30_024.99, 1]], [[30_075, 2]]),
      ],
      options({ step: 25 }),
    );
    expect(book.bids).toEqual([
      { price: 30_025, amount: 2, venues: { a: 2 } },
      { price: 30_000, amount: 1, venues: { b: 1 } },
    ]);
    expect(book.asks).toEqual([{ price: 30_075, amount: 3, venues: { a: 1, b: 2 } }]);
    const quarter = consolidateBook(
      [venue('a', [[1.26, 1]], [[1.26, 1]]), venue('b', [], [])],
      options({ step: 0.25 }),
    );
    expect(quarter.bids[0]!.price).toBe(1.25);
    expect(quarter.asks[0]!.price).toBe(1.5);
  });

  it('rejects a step that is not a positive number', () => {
    expect(() => consolidateBook([venue('a', [], []), venue('b', [], [])], options({ step: 0 }))).toThrow(
      /step/,
    );
  });
});

describe('consolidateBook: best bid/ask and crossed', () => {
  it('gives the best bid and ask with their venue, from the raw prices even when grouped', () => {
    const venues = [venue('a', [[100.04, 1]], [[100.16, 1]]), venue('b', [[100.06, 1]], [[100.12, 1]])];
    const book = consolidateBook(venues, options({ step: 0.1 }));
    expect(book.best).toEqual({
      bid: { price: 100.06, exchange: 'b' },
      ask: { price: 100.12, exchange: 'b' },
    });
    expect(book.bids[0]!.price).toBe(100);
    expect(book.crossed).toBe(false);
  });

  it('breaks a tie by the larger amount at the best price, then by the order venues were listed', () => {
    const tiedAmounts = consolidateBook(
      [
        venue('a', [[100, 1]], [[101, 3]]),
        venue('b', [[100, 2]], [[101, 3]]),
        venue('c', [[100, 2]], [[101, 1]]),
      ],
      options(),
    );
    expect(tiedAmounts.best).toEqual({
      bid: { price: 100, exchange: 'b' },
      ask: { price: 101, exchange: 'a' },
    });
    const reordered = consolidateBook(
      [
        venue('c', [[100, 2]], [[101, 1]]),
        venue('b', [[100, 2]], [[101, 3]]),
        venue('a', [[100, 1]], [[101, 3]]),
      ],
      options(),
    );
    expect(reordered.best).toEqual({
      bid: { price: 100, exchange: 'c' },
      ask: { price: 101, exchange: 'b' },
    });
  });

  it('is crossed when one venue bids above another venue’s ask; locked or self-crossed is not', () => {
    const crossed = consolidateBook(
      [venue('a', [[101, 1]], [[102, 1]]), venue('b', [[99, 1]], [[100.5, 1]])],
      options(),
    );
    expect(crossed.crossed).toBe(true);
    expect(crossed.best).toEqual({
      bid: { price: 101, exchange: 'a' },
      ask: { price: 100.5, exchange: 'b' },
    });
    const locked = consolidateBook(
      [venue('a', [[100.5, 1]], [[102, 1]]), venue('b', [[99, 1]], [[100.5, 1]])],
      options(),
    );
    expect(locked.crossed).toBe(false);
    // a's own book is crossed (bid 103 > ask 102), but no other venue asks below 103
    const self = consolidateBook(
      [venue('a', [[103, 1]], [[102, 1]]), venue('b', [[99, 1]], [[104, 1]])],
      options(),
    );
    expect(self.crossed).toBe(false);
    // …and with a third venue asking 102.5, a's bid crosses it
    const third = consolidateBook(
      [
        venue('a', [[103, 1]], [[102, 1]]),
        venue('b', [[99, 1]], [[104, 1]]),
        venue('c', [[98, 1]], [[102.5, 1]]),
      ],
      options(),
    );
    expect(third.crossed).toBe(true);
  });

  it('has null best sides when no live venue quotes that side', () => {
    const book = consolidateBook(
      [venue('a', [[100, 1]], []), venue('b', [], [], { ageMs: 10 * INTERVAL })],
      options(),
    );
    expect(book.best).toEqual({ bid: { price: 100, exchange: 'a' }, ask: null });
    expect(book.asks).toEqual([]);
    expect(consolidatedBookSchema.parse(book)).toEqual(book);
  });
});

describe('consolidateBook: stale and failing venues', () => {
  it('marks a venue stale after 3 intervals without an update and leaves it out of levels, best and crossed', () => {
    const venues = [
      venue('live', [[100, 1]], [[101, 1]]),
      venue('edge', [[100, 2]], [[101, 2]], { ageMs: 3 * INTERVAL }),
      venue('old', [[105, 9]], [[99, 9]], { ageMs: 3 * INTERVAL + 1 }),
    ];
    const book = consolidateBook(venues, options());
    expect(book.venues).toEqual([
      { exchange: 'live', state: 'ok', timestamp: NOW },
      { exchange: 'edge', state: 'ok', timestamp: NOW - 3 * INTERVAL },
      { exchange: 'old', state: 'stale', timestamp: NOW - 3 * INTERVAL - 1, reason: 'STALE' },
    ]);
    expect(book.bids).toEqual([{ price: 100, amount: 3, venues: { live: 1, edge: 2 } }]);
    expect(book.asks).toEqual([{ price: 101, amount: 3, venues: { live: 1, edge: 2 } }]);
    expect(book.best.bid).toEqual({ price: 100, exchange: 'edge' });
    expect(book.crossed).toBe(false);
  });

  it('marks a venue with nothing received yet stale with a null timestamp', () => {
    const none: VenueBookSnapshot = { exchange: 'new', book: null, receivedAt: null };
    const book = consolidateBook([venue('a', [[100, 1]], [[101, 1]]), none], options());
    expect(book.venues[1]).toEqual({ exchange: 'new', state: 'stale', timestamp: null, reason: 'STALE' });
    // a receive time without a book is still nothing received
    const odd = consolidateBook(
      [venue('a', [[100, 1]], [[101, 1]]), { ...none, receivedAt: NOW }],
      options(),
    );
    expect(odd.venues[1]).toEqual({ exchange: 'new', state: 'stale', timestamp: null, reason: 'STALE' });
  });

  it('lists a failing venue as error with its reason, keeps its last timestamp, and leaves the rest intact', () => {
    const failing = venue('down', [[200, 5]], [[50, 5]], {
      ageMs: 500,
      timestamp: 1_700_000_000_000,
      error: { reason: 'UPSTREAM_UNAVAILABLE', message: 'connection refused' },
    });
    const book = consolidateBook(
      [venue('a', [[100, 1]], [[101, 1]]), failing, venue('b', [[99, 1]], [[102, 1]])],
      options(),
    );
    expect(book.venues[1]).toEqual({
      exchange: 'down',
      state: 'error',
      timestamp: 1_700_000_000_000,
      reason: 'UPSTREAM_UNAVAILABLE',
    });
    expect(book.bids.map((l) => Object.keys(l.venues))).toEqual([['a'], ['b']]);
    expect(book.best).toEqual({ bid: { price: 100, exchange: 'a' }, ask: { price: 101, exchange: 'a' } });
    expect(book.crossed).toBe(false);
  });

  it('uses the receive time as a venue’s timestamp when its book has none', () => {
    const book = consolidateBook(
      [venue('a', [[1, 1]], [], { timestamp: null, ageMs: 7 }), venue('b', [], [])],
      options(),
    );
    expect(book.venues[0]!.timestamp).toBe(NOW - 7);
  });

  it('rejects a venue listed twice', () => {
    expect(() => consolidateBook([venue('a', [], []), venue('a', [], [])], options())).toThrow(
      /more than once/,
    );
  });
});

describe('consolidateBook over time (fake timers)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('drops a venue that stops updating after 3 intervals and takes it back with its next update', () => {
    vi.useFakeTimers();
    vi.setSystemTime(NOW);
    const latest = new Map<string, VenueBookSnapshot>();
    const publish = (exchange: string, bid: number) =>
      latest.set(exchange, {
        exchange,
        book: { bids: [[bid, 1]], asks: [[bid + 1, 1]], timestamp: Date.now() },
        receivedAt: Date.now(),
      });
    let bSilent = false;
    const feeds = setInterval(() => {
      publish('a', 100);
      if (!bSilent) publish('b', 100.5);
    }, INTERVAL);
    const view = () => consolidateBook([...latest.values()], options({ now: Date.now() }));

    vi.advanceTimersByTime(INTERVAL);
    expect(view().best.bid).toEqual({ price: 100.5, exchange: 'b' });
    bSilent = true;
    vi.advanceTimersByTime(3 * INTERVAL);
    expect(view().venues.map((v) => v.state)).toEqual(['ok', 'ok']); // exactly 3 intervals: still fresh
    vi.advanceTimersByTime(1);
    const stale = view();
    expect(stale.venues.map((v) => v.state)).toEqual(['ok', 'stale']);
    expect(stale.best.bid).toEqual({ price: 100, exchange: 'a' });
    expect(stale.bids.every((l) => !('b' in l.venues))).toBe(true);
    bSilent = false;
    vi.advanceTimersByTime(INTERVAL);
    expect(view().venues.map((v) => v.state)).toEqual(['ok', 'ok']);
    clearInterval(feeds);
    expect(vi.getTimerCount()).toBe(0);
  });
});
