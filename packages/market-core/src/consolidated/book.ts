import { cleanSide } from './levels.js';
import type { BookSide, RawLevel } from './levels.js';
import { mergeSide } from './merge.js';
import type { VenueSide } from './merge.js';
import { priceGrid } from './price-grid.js';
import type { BestQuote, ConsolidatedBook, ConsolidatedVenue } from './schemas.js';
import { venueHealth } from './venue-state.js';
import type { FreshnessRule, VenueFreshness } from './venue-state.js';

/** A venue's latest order book as its feed delivered it. */
export interface VenueBook {
  bids: readonly RawLevel[];
  asks: readonly RawLevel[];
  /** The exchange's own timestamp of the book, when it gives one. */
  timestamp?: number | null;
}

/** One requested venue: its latest book (null before the first) and its health inputs. */
export interface VenueBookSnapshot extends VenueFreshness {
  exchange: string;
  book: VenueBook | null;
}

export interface ConsolidateOptions extends FreshnessRule {
  symbol: string;
  /** Merged levels per side (after grouping). */
  depth: number;
  /** Price grid to group on; exact prices when absent. */
  step?: number;
}

/** Ids a plain object cannot hold as own keys; the registry never resolves them to an exchange. */
function assertDistinctIds(venues: readonly VenueBookSnapshot[]): void {
  const seen = new Set<string>();
  for (const { exchange } of venues) {
    if (exchange === '__proto__') throw new RangeError('"__proto__" is not an exchange id');
    if (seen.has(exchange)) throw new RangeError(`exchange "${exchange}" is listed more than once`);
    seen.add(exchange);
  }
}

/**
 * The best quote of one side among live venues: the best price; on a tie, the venue with the larger
 * amount at that price, then the venue listed first.
 */
function bestQuote(sides: readonly VenueSide[], side: BookSide): BestQuote {
  let best: { price: number; amount: number; exchange: string } | undefined;
  for (const { exchange, levels } of sides) {
    const top = levels[0];
    if (!top) continue;
    const price = top[0]!;
    const amount = top[1]!;
    const better = side === 'bids' ? price > (best?.price ?? -Infinity) : price < (best?.price ?? Infinity);
    if (better || (best && price === best.price && amount > best.amount)) best = { price, amount, exchange };
  }
  return best ? { price: best.price, exchange: best.exchange } : null;
}

/**
 * Whether some live venue's best bid is strictly above another live venue's best ask (a venue
 * against itself does not count; equal prices are "locked", not crossed). O(venues).
 */
function isCrossed(bidSides: readonly VenueSide[], askSides: readonly VenueSide[]): boolean {
  let lowest = Infinity;
  let lowestVenue: string | undefined;
  let second = Infinity;
  for (const { exchange, levels } of askSides) {
    const ask = levels[0]?.[0];
    if (ask === undefined) continue;
    if (ask < lowest) {
      second = lowest;
      lowest = ask;
      lowestVenue = exchange;
    } else if (ask < second) second = ask;
  }
  return bidSides.some(({ exchange, levels }) => {
    const bid = levels[0]?.[0];
    return bid !== undefined && bid > (exchange === lowestVenue ? second : lowest);
  });
}

/**
 * The consolidated book of one symbol across venues. Pure: the caller passes the venues' latest
 * books and `now`. Stale and failed venues are listed with their state and left out of the levels,
 * the best quotes and `crossed`.
 */
export function consolidateBook(
  venues: readonly VenueBookSnapshot[],
  options: ConsolidateOptions,
): ConsolidatedBook {
  assertDistinctIds(venues);
  const grid = priceGrid(options.step);
  const states: ConsolidatedVenue[] = [];
  const bidSides: VenueSide[] = [];
  const askSides: VenueSide[] = [];
  for (const venue of venues) {
    // a venue without a book has nothing to show, whatever its receive time says
    const health = venueHealth(venue.book ? venue : { ...venue, receivedAt: null }, options);
    const timestamp = venue.book ? (venue.book.timestamp ?? venue.receivedAt) : null;
    states.push({
      exchange: venue.exchange,
      state: health.state,
      timestamp,
      ...(health.reason && { reason: health.reason }),
    });
    if (health.state !== 'ok' || !venue.book) continue;
    bidSides.push({ exchange: venue.exchange, levels: cleanSide(venue.book.bids, 'bids') });
    askSides.push({ exchange: venue.exchange, levels: cleanSide(venue.book.asks, 'asks') });
  }
  return {
    symbol: options.symbol,
    timestamp: options.now,
    venues: states,
    bids: mergeSide(bidSides, 'bids', grid, options.depth),
    asks: mergeSide(askSides, 'asks', grid, options.depth),
    best: { bid: bestQuote(bidSides, 'bids'), ask: bestQuote(askSides, 'asks') },
    crossed: isCrossed(bidSides, askSides),
  };
}
