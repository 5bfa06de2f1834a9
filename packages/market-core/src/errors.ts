import ccxt from 'ccxt';

/** The closed set of reasons every error of the public contract carries. */
export const ERROR_REASONS = [
  'INVALID_INPUT',
  'UNKNOWN_EXCHANGE',
  'UNKNOWN_SYMBOL',
  'NOT_SUPPORTED',
  'RATE_LIMITED',
  'UPSTREAM_RATE_LIMITED',
  'UPSTREAM_UNAVAILABLE',
  'UPSTREAM_TIMEOUT',
  'UPSTREAM_ERROR',
  'INTERNAL',
] as const;

export type ErrorReason = (typeof ERROR_REASONS)[number];

/** tRPC error code and HTTP status per reason, as DESIGN.md's table fixes them. */
export const REASON_STATUS = {
  INVALID_INPUT: { code: 'BAD_REQUEST', http: 400 },
  UNKNOWN_EXCHANGE: { code: 'NOT_FOUND', http: 404 },
  UNKNOWN_SYMBOL: { code: 'NOT_FOUND', http: 404 },
  NOT_SUPPORTED: { code: 'BAD_REQUEST', http: 400 },
  RATE_LIMITED: { code: 'TOO_MANY_REQUESTS', http: 429 },
  UPSTREAM_RATE_LIMITED: { code: 'SERVICE_UNAVAILABLE', http: 503 },
  UPSTREAM_UNAVAILABLE: { code: 'SERVICE_UNAVAILABLE', http: 503 },
  UPSTREAM_TIMEOUT: { code: 'GATEWAY_TIMEOUT', http: 504 },
  UPSTREAM_ERROR: { code: 'BAD_GATEWAY', http: 502 },
  INTERNAL: { code: 'INTERNAL_SERVER_ERROR', http: 500 },
} as const satisfies Record<ErrorReason, { code: string; http: number }>;

const RETRYABLE: ReadonlySet<ErrorReason> = new Set([
  'RATE_LIMITED',
  'UPSTREAM_RATE_LIMITED',
  'UPSTREAM_UNAVAILABLE',
  'UPSTREAM_TIMEOUT',
]);

export interface MarketErrorOptions {
  retryAfterMs?: number;
  exchange?: string;
  cause?: unknown;
}

export class MarketError extends Error {
  readonly reason: ErrorReason;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly exchange: string | undefined;

  constructor(reason: ErrorReason, message: string, options: MarketErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MarketError';
    this.reason = reason;
    this.retryable = RETRYABLE.has(reason);
    this.retryAfterMs = options.retryAfterMs;
    this.exchange = options.exchange;
  }
}

export function isMarketError(error: unknown): error is MarketError {
  return error instanceof MarketError;
}

/** Upstream errors worth another try: the request may succeed unchanged a moment later. */
export function isTransientUpstreamError(error: unknown): boolean {
  return (
    error instanceof ccxt.NetworkError || // RequestTimeout, ExchangeNotAvailable, DDoSProtection, RateLimitExceeded
    (error instanceof MarketError && error.reason.startsWith('UPSTREAM_') && error.retryable)
  );
}

/** Default pause before retrying a throttled exchange when it gave no hint of its own. */
const UPSTREAM_RATE_LIMIT_BACKOFF_MS = 5_000;

/**
 * Maps anything thrown below the service to a MarketError. Order matters: ccxt's classes form a
 * hierarchy (throttling and timeouts extend NetworkError, BadSymbol extends BadRequest).
 * Upstream messages are not echoed: they can carry request URLs with keys in them.
 */
export function toMarketError(error: unknown, exchange?: string): MarketError {
  if (error instanceof MarketError) return error;
  const on = exchange ? `${exchange}` : 'the exchange';
  const opts = { exchange, cause: error };
  if (error instanceof ccxt.BadSymbol)
    return new MarketError('UNKNOWN_SYMBOL', `${on} has no such market`, opts);
  if (error instanceof ccxt.NotSupported)
    return new MarketError('NOT_SUPPORTED', `${on} does not support this request`, opts);
  if (error instanceof ccxt.DDoSProtection || error instanceof ccxt.RateLimitExceeded)
    return new MarketError('UPSTREAM_RATE_LIMITED', `${on} is throttling requests; retry later`, {
      ...opts,
      retryAfterMs: UPSTREAM_RATE_LIMIT_BACKOFF_MS,
    });
  if (error instanceof ccxt.RequestTimeout)
    return new MarketError('UPSTREAM_TIMEOUT', `${on} did not answer in time`, opts);
  if (error instanceof ccxt.NetworkError)
    // ExchangeNotAvailable, OnMaintenance, connection failures
    return new MarketError('UPSTREAM_UNAVAILABLE', `${on} is unreachable from the server`, opts);
  if (error instanceof ccxt.BaseError)
    return new MarketError('UPSTREAM_ERROR', `${on} returned an error`, opts);
  return new MarketError('INTERNAL', 'Internal error', opts);
}
