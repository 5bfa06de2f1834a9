import { bestLevel } from './levels.js';
import type { IndexConstituent, IndexExclusion, IndexPrice } from './schemas.js';
import type { VenueBookSnapshot } from './book.js';
import { venueHealth } from './venue-state.js';
import type { FreshnessRule, VenueFailure, VenueFreshness } from './venue-state.js';

/** A venue is an outlier when further than this many median absolute deviations from the median. */
export const OUTLIER_MADS = 5;
/**
 * The smallest deviation scale, as a fraction of the median (1 bp). Without it, a MAD of 0 (most
 * venues quoting the very same price) would make a venue 0.01 bp away an outlier; with it, equal
 * prices exclude nothing and the outlier band is never narrower than 5 bp.
 */
export const MIN_MAD_FRACTION = 1e-4;

/** One requested venue's price as the caller derived it (see venuePrice), with its health inputs. */
export interface VenuePriceSnapshot extends VenueFreshness {
  exchange: string;
  /** null when the venue has no usable price. */
  price: number | null;
  /** The exchange's timestamp of that price, else when it was received; null before the first. */
  timestamp: number | null;
}

export interface IndexOptions extends FreshnessRule {
  symbol: string;
  /** Defaults to OUTLIER_MADS. */
  outlierMads?: number;
  /** Defaults to MIN_MAD_FRACTION. */
  minMadFraction?: number;
}

/** A quote's parts; any may be missing. */
export interface QuoteParts {
  bid?: number | null;
  ask?: number | null;
  last?: number | null;
}

const positive = (x: number | null | undefined): x is number =>
  typeof x === 'number' && Number.isFinite(x) && x > 0;

/** A venue's price: the mid of its best bid and ask when it has both, else its last trade, else null. */
export function venuePrice({ bid, ask, last }: QuoteParts): number | null {
  if (positive(bid) && positive(ask)) return (bid + ask) / 2;
  return positive(last) ? last : null;
}

/** The price snapshot of a venue's order book: the mid of its top of book (null with a side empty). */
export function priceFromBook(venue: VenueBookSnapshot): VenuePriceSnapshot {
  const book = venue.book;
  const bid = book ? bestLevel(book.bids, 'bids')?.[0] : undefined;
  const ask = book ? bestLevel(book.asks, 'asks')?.[0] : undefined;
  return {
    exchange: venue.exchange,
    price: venuePrice({ bid, ask }),
    timestamp: book?.timestamp ?? venue.receivedAt,
    receivedAt: book ? venue.receivedAt : null,
    error: venue.error ?? null,
  };
}

/** The price snapshot of a venue's ticker (mid of its bid and ask, else last); null ticker: nothing yet. */
export function priceFromTicker(
  exchange: string,
  ticker: (QuoteParts & { timestamp?: number | null }) | null,
  receivedAt: number | null,
  error?: VenueFailure | null,
): VenuePriceSnapshot {
  return {
    exchange,
    price: ticker ? venuePrice(ticker) : null,
    timestamp: ticker?.timestamp ?? (ticker ? receivedAt : null),
    receivedAt: ticker ? receivedAt : null,
    error: error ?? null,
  };
}

/** Median of a non-empty list (mean of the middle two for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * The index price of one symbol: the median of the fresh venue prices, after leaving out failed
 * venues (`error`), venues without a price update within 3 intervals or without a price
 * (`stale`), and venues further than 5 × MAD from the median of the fresh prices (`outlier`).
 * `price` is null when no venue is left. Pure: the caller passes `now`.
 */
export function computeIndexPrice(venues: readonly VenuePriceSnapshot[], options: IndexOptions): IndexPrice {
  const prices = venues.map((venue) => (positive(venue.price) ? venue.price : null));
  const exclusions = venues.map((venue, i): IndexExclusion | undefined => {
    const { state } = venueHealth(venue, options);
    if (state === 'error') return 'error';
    return state === 'stale' || prices[i] === null ? 'stale' : undefined;
  });
  const fresh = prices.filter((price, i): price is number => price !== null && !exclusions[i]);

  const center = median(fresh);
  const mad = median(fresh.map((price) => Math.abs(price - center)));
  const band =
    (options.outlierMads ?? OUTLIER_MADS) *
    Math.max(mad, center * (options.minMadFraction ?? MIN_MAD_FRACTION));
  const included: number[] = [];
  const constituents = venues.map((venue, i): IndexConstituent => {
    const price = prices[i] ?? null;
    const outlier = price !== null && Math.abs(price - center) > band;
    const excludedBecause = exclusions[i] ?? (outlier ? 'outlier' : undefined);
    if (!excludedBecause && price !== null) included.push(price);
    return {
      exchange: venue.exchange,
      price,
      timestamp: venue.timestamp,
      included: !excludedBecause,
      ...(excludedBecause && { excludedBecause }),
    };
  });

  return {
    symbol: options.symbol,
    price: included.length ? median(included) : null,
    method: 'median',
    timestamp: options.now,
    constituents,
  };
}
