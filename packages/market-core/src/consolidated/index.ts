export * from './schemas.js';
export { STALE_AFTER_INTERVALS, venueHealth } from './venue-state.js';
export type { FreshnessRule, VenueFailure, VenueFreshness, VenueHealth } from './venue-state.js';
export type { RawLevel } from './levels.js';
export { consolidateBook } from './book.js';
export type { ConsolidateOptions, VenueBook, VenueBookSnapshot } from './book.js';
export {
  MIN_MAD_FRACTION,
  OUTLIER_MADS,
  computeIndexPrice,
  priceFromBook,
  priceFromTicker,
  venuePrice,
} from './index-price.js';
export type { IndexOptions, QuoteParts, VenuePriceSnapshot } from './index-price.js';
export { CONSOLIDATED_BOOK_MAX_PER_SECOND, createCoalescer } from './coalesce.js';
export type { Coalescer, CoalescerOptions, CoalescerTimers } from './coalesce.js';
