import { act, renderHook } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { describeError } from './errors';
import { FeedStaleError, newerTicker, STREAM_GRACE_MS, useStreamFallback } from './live';
import type { Ticker } from './types';

const ticker = (timestamp: number | null, fetchedAt: number, last: number): Ticker => ({
  exchange: 'sim',
  symbol: 'BTC/USDT',
  timestamp,
  last,
  bid: null,
  ask: null,
  high: null,
  low: null,
  open: null,
  close: null,
  baseVolume: null,
  quoteVolume: null,
  change: null,
  percentage: null,
  vwap: null,
  fetchedAt,
  source: 'simulated',
  cached: false,
});

describe('newerTicker', () => {
  it('keeps whichever of stream and snapshot is newer', () => {
    const a = ticker(1_000, 1_001, 1);
    const b = ticker(2_000, 2_001, 2);
    expect(newerTicker(a, b)).toBe(b);
    expect(newerTicker(b, a)).toBe(b);
    expect(newerTicker(undefined, a)).toBe(a);
    expect(newerTicker(a, undefined)).toBe(a);
    expect(newerTicker(ticker(null, 5_000, 3), b)?.last).toBe(3);
  });
});

describe('FeedStaleError', () => {
  it('reads like any other error with a reason', () => {
    const error = new FeedStaleError({
      type: 'status',
      state: 'stale',
      exchange: 'binance',
      symbol: 'BTC/USDT',
      mode: 'poll',
      reason: 'UPSTREAM_UNAVAILABLE',
      message: 'binance is unreachable from the server',
      retryInMs: 4_000,
    });
    expect(describeError(error, { exchange: 'binance' })).toBe(
      'binance is unreachable from the server (UPSTREAM_UNAVAILABLE), retrying in 4s',
    );
  });
});

describe('useStreamFallback', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('polls only after the stream has not delivered for a while, and stops when it does', () => {
    const { result, rerender } = renderHook(({ delivering }) => useStreamFallback(delivering), {
      initialProps: { delivering: false },
    });
    expect(result.current).toBe(false);
    act(() => {
      vi.advanceTimersByTime(STREAM_GRACE_MS);
    });
    expect(result.current).toBe(true);
    rerender({ delivering: true });
    expect(result.current).toBe(false);
    rerender({ delivering: false });
    act(() => {
      vi.advanceTimersByTime(STREAM_GRACE_MS - 1);
    });
    expect(result.current).toBe(false);
  });
});
