import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { consolidateBook } from '../../src/consolidated/book.js';
import { computeIndexPrice, priceFromBook } from '../../src/consolidated/index-price.js';
import { consolidatedBookSchema, indexPriceSchema } from '../../src/consolidated/schemas.js';
import type { VenueBookSnapshot } from '../../src/consolidated/book.js';

/**
 * The recorded real BTC/USDT spot books of binance, okx and bybit (ccxt's static test data in
 * `<repo>/../shared/fixtures/ccxt-static/`, not part of the repo) merged into one consolidated
 * book, checked against values computed here straight from the recordings.
 */
const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const FIXTURES_DIR = resolve(repoRoot, '..', 'shared', 'fixtures', 'ccxt-static');
const VENUES = ['binance', 'okx', 'bybit'] as const;
const available = VENUES.every((v) => existsSync(join(FIXTURES_DIR, v, 'response.json')));
if (!available)
  console.warn(
    `consolidated replay: ${FIXTURES_DIR} not found; skipping the binance/okx/bybit BTC/USDT merge`,
  );

interface RecordedBook {
  symbol: string;
  bids: number[][];
  asks: number[][];
  timestamp: number | null;
}

function recordedBook(exchange: string): RecordedBook {
  const response = JSON.parse(readFileSync(join(FIXTURES_DIR, exchange, 'response.json'), 'utf8')) as {
    methods: Record<string, { input: unknown[]; parsedResponse: RecordedBook }[]>;
  };
  const entry = response.methods.fetchOrderBook?.find((e) => e.input[0] === 'BTC/USDT');
  if (!entry) throw new Error(`${exchange}/response.json has no fetchOrderBook entry for BTC/USDT`);
  expect(entry.parsedResponse.symbol).toBe('BTC/USDT');
  return entry.parsedResponse;
}

const NOW = 1_712_265_040_000;

describe.skipIf(!available)('replay: the recorded BTC/USDT books of binance, okx and bybit', () => {
  const books = available ? VENUES.map((exchange) => ({ exchange, ...recordedBook(exchange) })) : [];
  const snapshots: VenueBookSnapshot[] = books.map(({ exchange, bids, asks, timestamp }) => ({
    exchange,
    book: { bids, asks, timestamp },
    receivedAt: NOW - 100,
  }));
  const options = { symbol: 'BTC/USDT', depth: 20, now: NOW, intervalMs: 1_000 };

  it('merges them: best bid/ask and venue, crossed, and every level’s per-venue amounts', () => {
    const book = consolidateBook(snapshots, options);
    expect(consolidatedBookSchema.parse(book)).toEqual(book);

    // independent: every recorded level, keyed by price
    const all = (side: 'bids' | 'asks') =>
      books.flatMap(({ exchange, ...b }) =>
        b[side].map(([price, amount]) => ({ exchange, price: price!, amount: amount! })),
      );
    const bestBid = all('bids').reduce((a, b) => (b.price > a.price ? b : a));
    const bestAsk = all('asks').reduce((a, b) => (b.price < a.price ? b : a));
    expect(book.best).toEqual({
      bid: { price: bestBid.price, exchange: bestBid.exchange },
      ask: { price: bestAsk.price, exchange: bestAsk.exchange },
    });
    // the recordings were taken months apart: okx's bid (67973.3) is far above bybit's ask (29971.81)
    expect(book.best).toEqual({
      bid: { price: 67973.3, exchange: 'okx' },
      ask: { price: 29971.81, exchange: 'bybit' },
    });
    expect(book.crossed).toBe(true);

    for (const side of ['bids', 'asks'] as const) {
      const levels = all(side);
      const prices = [...new Set(levels.map((l) => l.price))].sort((a, b) =>
        side === 'bids' ? b - a : a - b,
      );
      expect(book[side].map((l) => l.price)).toEqual(prices);
      book[side].forEach((level) => {
        const here = levels.filter((l) => l.price === level.price);
        expect(level.venues).toEqual(Object.fromEntries(here.map((l) => [l.exchange, l.amount])));
        expect(level.amount).toBeCloseTo(
          here.reduce((sum, l) => sum + l.amount, 0),
          12,
        );
      });
    }
    expect(book.bids[0]).toEqual({ price: 67973.3, amount: 0.05, venues: { okx: 0.05 } });
    expect(book.venues).toEqual([
      { exchange: 'binance', state: 'ok', timestamp: NOW - 100 }, // binance's book carries no timestamp
      { exchange: 'okx', state: 'ok', timestamp: books[1]!.timestamp },
      { exchange: 'bybit', state: 'ok', timestamp: books[2]!.timestamp },
    ]);
  });

  it('groups them to a 10,000 step, and leaves a stale okx out', () => {
    const grouped = consolidateBook(snapshots, { ...options, step: 10_000 });
    const sum = (exchange: string, side: 'bids' | 'asks') =>
      books.find((b) => b.exchange === exchange)![side].reduce((s, [, amount]) => s + amount!, 0);
    // every venue's two levels fall into one grid line per side (bids floored, asks ceiled)
    expect(grouped.bids.map((l) => l.price)).toEqual([60_000, 40_000, 20_000]);
    expect(grouped.asks.map((l) => l.price)).toEqual([30_000, 50_000, 70_000]);
    expect(grouped.bids[1]!.venues.binance).toBeCloseTo(sum('binance', 'bids'), 12);
    expect(grouped.asks[0]!.venues.bybit).toBeCloseTo(sum('bybit', 'asks'), 12);

    const withStaleOkx = consolidateBook(
      snapshots.map((s) => (s.exchange === 'okx' ? { ...s, receivedAt: NOW - 5_000 } : s)),
      options,
    );
    expect(withStaleOkx.venues[1]).toMatchObject({ exchange: 'okx', state: 'stale', reason: 'STALE' });
    expect(withStaleOkx.best.bid).toEqual({ price: 42574.3, exchange: 'binance' });
    expect(withStaleOkx.bids.some((l) => 'okx' in l.venues)).toBe(false);
    expect(withStaleOkx.crossed).toBe(true); // binance still bids 42574.3 above bybit's 29971.81
  });

  it('gives the index price: the median of the three mids, none an outlier', () => {
    const index = computeIndexPrice(snapshots.map(priceFromBook), options);
    expect(indexPriceSchema.parse(index)).toEqual(index);
    const mids = books.map((b) => (b.bids[0]![0]! + b.asks[0]![0]!) / 2);
    expect(index.constituents.map((c) => c.price)).toEqual(mids);
    expect(index.constituents.every((c) => c.included)).toBe(true);
    expect(index.price).toBe([...mids].sort((a, b) => a - b)[1]);
    expect(index.price).toBeCloseTo(42574.305, 6);
  });
});
