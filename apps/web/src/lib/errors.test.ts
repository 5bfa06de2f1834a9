import { TRPCClientError } from '@trpc/client';
import { describe, expect, it } from 'vitest';
import { describeError, errorFacts, isNetworkError, retryDelay, shouldRetry } from './errors';

function serverError(reason: string, message: string, extra: Record<string, unknown> = {}) {
  return TRPCClientError.from({
    error: {
      message,
      code: -32603,
      data: { code: 'SERVICE_UNAVAILABLE', httpStatus: 503, reason, retryable: false, ...extra },
    },
  });
}

describe('describeError', () => {
  it('names the unreachable exchange and says it retries', () => {
    const error = serverError('UPSTREAM_UNAVAILABLE', 'binance is unreachable from the server', {
      retryable: true,
    });
    expect(describeError(error, { exchange: 'binance', symbol: 'BTC/USDT' })).toBe(
      'binance is unreachable from the server (UPSTREAM_UNAVAILABLE), retrying',
    );
  });

  it('says an unknown symbol is not a market, without retrying', () => {
    const error = serverError('UNKNOWN_SYMBOL', 'sim has no market NOPE/USDT');
    expect(describeError(error, { exchange: 'sim', symbol: 'NOPE/USDT' })).toBe(
      'NOPE/USDT is not a market on sim (UNKNOWN_SYMBOL)',
    );
    expect(shouldRetry(0, error)).toBe(false);
    // in a list the server's message names the symbol
    expect(describeError(error, { exchange: 'sim' })).toBe(
      'sim has no market NOPE/USDT (UNKNOWN_SYMBOL): remove it from the list',
    );
  });

  it('tells when to expect the next attempt after a rate limit', () => {
    const error = serverError('RATE_LIMITED', 'Too many requests', { retryable: true, retryAfterMs: 4_200 });
    expect(describeError(error)).toBe('Too many requests from this browser (RATE_LIMITED), retrying in 5s');
    expect(retryDelay(0, error)).toBe(4_200);
  });

  it('covers the other reasons with the server message where it helps', () => {
    expect(
      describeError(serverError('UPSTREAM_TIMEOUT', 'x', { retryable: true }), { exchange: 'okx' }),
    ).toBe('okx did not answer in time (UPSTREAM_TIMEOUT), retrying');
    expect(
      describeError(serverError('NOT_SUPPORTED', 'kraken has no 3m candles'), { exchange: 'kraken' }),
    ).toBe('kraken does not support this (NOT_SUPPORTED): kraken has no 3m candles');
    expect(describeError(serverError('UNKNOWN_EXCHANGE', 'nope'), { exchange: 'nope' })).toBe(
      'nope is not an exchange this server offers (UNKNOWN_EXCHANGE)',
    );
    expect(describeError(serverError('INTERNAL', 'Internal error (request id abc)'))).toBe(
      'The server failed (INTERNAL): Internal error (request id abc)',
    );
  });

  it('reads a failed fetch as the server being unreachable', () => {
    const error = TRPCClientError.from(new TypeError('Failed to fetch'));
    expect(isNetworkError(error)).toBe(true);
    expect(errorFacts(error).retryable).toBe(true);
    expect(describeError(error)).toBe('Cannot reach the Marketgate server, retrying');
    expect(shouldRetry(1, error)).toBe(true);
    expect(shouldRetry(3, error)).toBe(false);
  });

  it('never shows a stack trace', () => {
    const error = new Error('boom');
    error.stack = 'Error: boom\n    at secret (/srv/app.js:1:1)';
    expect(describeError(error)).not.toContain('/srv/app.js');
  });
});

describe('retryDelay', () => {
  it('backs off exponentially up to 8s', () => {
    const error = new Error('x');
    expect(retryDelay(0, error)).toBe(1_000);
    expect(retryDelay(2, error)).toBe(4_000);
    expect(retryDelay(10, error)).toBe(8_000);
  });
});
