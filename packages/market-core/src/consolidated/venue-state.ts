import type { ErrorReason } from '../errors.js';
import type { VenueReason, VenueState } from './schemas.js';

/** A venue counts as stale after this many update intervals without an update. */
export const STALE_AFTER_INTERVALS = 3;

/** The failure a venue's feed last reported; cleared by the caller once data flows again. */
export interface VenueFailure {
  reason: ErrorReason;
  message?: string;
}

/** What decides a venue's health: when we last heard from it and whether its feed failed. */
export interface VenueFreshness {
  /** When the caller received the venue's latest update (caller's clock, ms); null: nothing yet. */
  receivedAt: number | null;
  error?: VenueFailure | null;
}

export interface FreshnessRule {
  /** The caller's clock, ms. */
  now: number;
  /** The venue feed's update interval (poll interval), ms. */
  intervalMs: number;
  /** Defaults to STALE_AFTER_INTERVALS. */
  staleAfterIntervals?: number;
}

export interface VenueHealth {
  state: VenueState;
  reason?: VenueReason;
}

/**
 * `error` when the feed reported a failure (whatever the age of its last data), else `stale` when
 * nothing arrived within `staleAfterIntervals` intervals (or nothing at all yet), else `ok`.
 * Age is measured on the caller's receive clock, not the exchange's timestamps, so a venue whose
 * clock is off is not misjudged.
 */
export function venueHealth(venue: VenueFreshness, rule: FreshnessRule): VenueHealth {
  if (venue.error) return { state: 'error', reason: venue.error.reason };
  const limit = (rule.staleAfterIntervals ?? STALE_AFTER_INTERVALS) * rule.intervalMs;
  if (venue.receivedAt === null || rule.now - venue.receivedAt > limit)
    return { state: 'stale', reason: 'STALE' };
  return { state: 'ok' };
}
