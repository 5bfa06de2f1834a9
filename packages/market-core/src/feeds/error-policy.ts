import type { ErrorReason, MarketError } from '../errors.js';
import { backoffDelay } from '../retry.js';
import type { RetryPolicy } from '../retry.js';

/** Errors that no retry can fix: they end the subscription with that reason. */
export const FATAL: ReadonlySet<ErrorReason> = new Set([
  'UNKNOWN_SYMBOL',
  'NOT_SUPPORTED',
  'INVALID_INPUT',
  'UNKNOWN_EXCHANGE',
]);

/**
 * Pause before the next try after `failures` failures in a row: backoff from one poll interval up to
 * `maxBackoffMs`, never shorter than the exchange's own retry-after. Feeds and the ticker poller share it.
 */
export function retryDelay(
  error: MarketError,
  failures: number,
  intervalMs: number,
  maxBackoffMs: number,
): number {
  const policy: RetryPolicy = { retries: 0, baseDelayMs: intervalMs, maxDelayMs: maxBackoffMs };
  return Math.max(error.retryAfterMs ?? 0, backoffDelay(policy, failures - 1));
}
