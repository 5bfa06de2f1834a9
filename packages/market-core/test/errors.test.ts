import ccxt from 'ccxt';
import { describe, expect, it } from 'vitest';
import { ERROR_REASONS, MarketError, REASON_STATUS, toMarketError } from '../src/errors.js';

describe('toMarketError', () => {
  it.each([
    [ccxt.BadSymbol, 'UNKNOWN_SYMBOL', false],
    [ccxt.NotSupported, 'NOT_SUPPORTED', false],
    [ccxt.BadRequest, 'UPSTREAM_ERROR', false],
    [ccxt.ExchangeError, 'UPSTREAM_ERROR', false],
    [ccxt.AuthenticationError, 'UPSTREAM_ERROR', false],
    [ccxt.DDoSProtection, 'UPSTREAM_RATE_LIMITED', true],
    [ccxt.RateLimitExceeded, 'UPSTREAM_RATE_LIMITED', true],
    [ccxt.RequestTimeout, 'UPSTREAM_TIMEOUT', true],
    [ccxt.ExchangeNotAvailable, 'UPSTREAM_UNAVAILABLE', true],
    [ccxt.OnMaintenance, 'UPSTREAM_UNAVAILABLE', true],
    [ccxt.NetworkError, 'UPSTREAM_UNAVAILABLE', true],
  ] as const)('maps ccxt %o to %s', (ErrorClass, reason, retryable) => {
    const mapped = toMarketError(
      new ErrorClass('binance GET https://api.example/secret?key=abc 500'),
      'binance',
    );
    expect(mapped.reason).toBe(reason);
    expect(mapped.retryable).toBe(retryable);
    expect(mapped.exchange).toBe('binance');
    // upstream messages can carry URLs with keys: never echoed
    expect(mapped.message).not.toContain('secret');
    expect(mapped.message).toContain('binance');
  });

  it('throttling carries a retry hint', () => {
    expect(toMarketError(new ccxt.RateLimitExceeded('x'), 'okx').retryAfterMs).toBeGreaterThan(0);
  });

  it('anything that is not a ccxt error is INTERNAL with a generic message', () => {
    const mapped = toMarketError(new TypeError('cannot read x of undefined'));
    expect(mapped.reason).toBe('INTERNAL');
    expect(mapped.message).toBe('Internal error');
  });

  it('passes MarketErrors through unchanged', () => {
    const original = new MarketError('UNKNOWN_EXCHANGE', 'nope');
    expect(toMarketError(original)).toBe(original);
  });

  it('has an HTTP status for every reason of the closed set', () => {
    expect(Object.keys(REASON_STATUS).sort()).toEqual([...ERROR_REASONS].sort());
    expect(REASON_STATUS.RATE_LIMITED.http).toBe(429);
    expect(REASON_STATUS.UPSTREAM_TIMEOUT.http).toBe(504);
  });
});
