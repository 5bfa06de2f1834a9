import { TRPCClientError } from '@trpc/client';

/** The contract's closed set of error reasons (DESIGN.md). */
export type Reason =
  | 'INVALID_INPUT'
  | 'UNKNOWN_EXCHANGE'
  | 'UNKNOWN_SYMBOL'
  | 'NOT_SUPPORTED'
  | 'RATE_LIMITED'
  | 'UPSTREAM_RATE_LIMITED'
  | 'UPSTREAM_UNAVAILABLE'
  | 'UPSTREAM_TIMEOUT'
  | 'UPSTREAM_ERROR'
  | 'INTERNAL';

export interface ErrorFacts {
  /** undefined: the server could not be reached at all (network error, server down). */
  reason: Reason | undefined;
  message: string;
  retryable: boolean;
  retryAfterMs: number | undefined;
}

interface ErrorDataLike {
  reason?: unknown;
  retryable?: unknown;
  retryAfterMs?: unknown;
}

/** Reads `error.data.reason` and friends from a tRPC client error (or anything else). */
export function errorFacts(error: unknown): ErrorFacts {
  if (error instanceof TRPCClientError || isErrorWithData(error)) {
    const data = (error as { data?: ErrorDataLike | null }).data ?? undefined;
    const reason = typeof data?.reason === 'string' ? (data.reason as Reason) : undefined;
    return {
      reason,
      message: (error as Error).message,
      retryable: reason === undefined ? true : data?.retryable === true,
      retryAfterMs: typeof data?.retryAfterMs === 'number' ? data.retryAfterMs : undefined,
    };
  }
  return {
    reason: undefined,
    message: error instanceof Error ? error.message : String(error),
    retryable: true,
    retryAfterMs: undefined,
  };
}

function isErrorWithData(error: unknown): boolean {
  return error instanceof Error && 'data' in error && typeof (error as { data?: unknown }).data === 'object';
}

/** True when the server itself could not be reached (no contract reason in the answer). */
export function isNetworkError(error: unknown): boolean {
  return errorFacts(error).reason === undefined;
}

export interface ErrorSubject {
  exchange?: string | undefined;
  symbol?: string | undefined;
}

function retryText(facts: ErrorFacts): string {
  if (!facts.retryable) return '';
  if (facts.retryAfterMs && facts.retryAfterMs >= 1000) {
    return `, retrying in ${Math.ceil(facts.retryAfterMs / 1000)}s`;
  }
  return ', retrying';
}

/** A sentence a person can act on, built from the error's reason, never a stack trace. */
export function describeError(error: unknown, subject: ErrorSubject = {}): string {
  const facts = errorFacts(error);
  const exchange = subject.exchange ?? 'the exchange';
  const symbol = subject.symbol ?? 'this symbol';
  const tail = retryText(facts);
  switch (facts.reason) {
    case undefined:
      return 'Cannot reach the Marketgate server, retrying';
    case 'UPSTREAM_UNAVAILABLE':
      return `${exchange} is unreachable from the server (UPSTREAM_UNAVAILABLE)${tail || ', retrying'}`;
    case 'UPSTREAM_TIMEOUT':
      return `${exchange} did not answer in time (UPSTREAM_TIMEOUT)${tail || ', retrying'}`;
    case 'UPSTREAM_RATE_LIMITED':
      return `${exchange} is throttling the server (UPSTREAM_RATE_LIMITED)${tail || ', retrying'}`;
    case 'UPSTREAM_ERROR':
      return `${exchange} answered with an error (UPSTREAM_ERROR): ${facts.message}${tail}`;
    case 'RATE_LIMITED':
      return `Too many requests from this browser (RATE_LIMITED)${tail || ', retrying'}`;
    case 'UNKNOWN_SYMBOL':
      // without a subject (a list of symbols) the server's message names the culprit
      return subject.symbol
        ? `${symbol} is not a market on ${exchange} (UNKNOWN_SYMBOL)`
        : `${facts.message} (UNKNOWN_SYMBOL): remove it from the list`;
    case 'UNKNOWN_EXCHANGE':
      return `${exchange} is not an exchange this server offers (UNKNOWN_EXCHANGE)`;
    case 'NOT_SUPPORTED':
      return `${exchange} does not support this (NOT_SUPPORTED): ${facts.message}`;
    case 'INVALID_INPUT':
      return `The request was rejected (INVALID_INPUT): ${facts.message}`;
    case 'INTERNAL':
      return `The server failed (INTERNAL): ${facts.message}${tail}`;
    default:
      return `${facts.message} (${String(facts.reason)})${tail}`;
  }
}

/** React Query retry policy: retry what the contract calls retryable (and network errors), a few times. */
export function shouldRetry(failureCount: number, error: unknown): boolean {
  const facts = errorFacts(error);
  return facts.retryable && failureCount < 3;
}

export function retryDelay(attempt: number, error: unknown): number {
  const { retryAfterMs } = errorFacts(error);
  if (retryAfterMs && retryAfterMs > 0) return Math.min(retryAfterMs, 30_000);
  return Math.min(1000 * 2 ** attempt, 8000);
}
