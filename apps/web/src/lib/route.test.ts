import { act, renderHook } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { parseRoute, routeHref, useRoute } from './route';
import type { Route } from './route';

const base: Route = {
  view: 'markets',
  exchange: undefined,
  symbol: undefined,
  timeframe: '1m',
  exchanges: undefined,
};

describe('parseRoute / routeHref', () => {
  it('reads view from the path and the rest from the query', () => {
    expect(parseRoute('/symbol', '?exchange=sim&symbol=BTC/USDT&timeframe=1h')).toEqual({
      view: 'symbol',
      exchange: 'sim',
      symbol: 'BTC/USDT',
      timeframe: '1h',
      exchanges: undefined,
    });
    expect(parseRoute('/compare', '?symbol=ETH%2FUSDT&exchanges=sim,binance,,okx').exchanges).toEqual([
      'sim',
      'binance',
      'okx',
    ]);
  });

  it('falls back for unknown paths and timeframes', () => {
    expect(parseRoute('/nowhere', '').view).toBe('markets');
    expect(parseRoute('/status/', '').view).toBe('status');
    expect(parseRoute('/symbol', '?symbol=BTC/USDT&timeframe=7m').timeframe).toBe('1m');
    expect(parseRoute('/symbol', '?symbol=%20%20').symbol).toBeUndefined();
  });

  it('writes readable URLs with only what the view uses', () => {
    expect(routeHref({ ...base, view: 'symbol', exchange: 'sim', symbol: 'BTC/USDT', timeframe: '4h' })).toBe(
      '/symbol?exchange=sim&symbol=BTC/USDT&timeframe=4h',
    );
    expect(routeHref({ ...base, view: 'symbol', exchange: 'sim', symbol: 'BTC/USDT' })).toBe(
      '/symbol?exchange=sim&symbol=BTC/USDT',
    );
    expect(routeHref({ ...base, exchange: 'binance', symbol: 'BTC/USDT' })).toBe('/?exchange=binance');
    expect(routeHref({ ...base, view: 'status', exchange: 'sim' })).toBe('/status');
    expect(routeHref({ ...base, view: 'compare', symbol: 'A&B/C', exchanges: ['sim', 'okx'] })).toBe(
      '/compare?symbol=A%26B/C&exchanges=sim,okx',
    );
  });

  it('round-trips', () => {
    const route: Route = {
      view: 'symbol',
      exchange: 'okx',
      symbol: 'BTC/USDT:USDT',
      timeframe: '15m',
      exchanges: undefined,
    };
    const href = routeHref(route);
    const q = href.indexOf('?');
    expect(parseRoute(href.slice(0, q), href.slice(q))).toEqual(route);
  });
});

describe('useRoute', () => {
  afterEach(() => window.history.replaceState(null, '', '/'));

  it('pushes history entries, and back and forward restore the state', async () => {
    window.history.replaceState(null, '', '/');
    const { result } = renderHook(() => useRoute());
    expect(result.current[0].view).toBe('markets');

    act(() => result.current[1]({ view: 'symbol', exchange: 'sim', symbol: 'ETH/USDT' }));
    expect(window.location.pathname + window.location.search).toBe('/symbol?exchange=sim&symbol=ETH/USDT');
    expect(result.current[0].symbol).toBe('ETH/USDT');

    act(() => result.current[1]({ timeframe: '1h' }));
    expect(result.current[0].timeframe).toBe('1h');

    await act(async () => {
      const popped = new Promise((r) => window.addEventListener('popstate', r, { once: true }));
      window.history.back();
      await popped;
    });
    expect(result.current[0]).toMatchObject({ view: 'symbol', symbol: 'ETH/USDT', timeframe: '1m' });

    await act(async () => {
      const popped = new Promise((r) => window.addEventListener('popstate', r, { once: true }));
      window.history.forward();
      await popped;
    });
    expect(result.current[0].timeframe).toBe('1h');
  });

  it('replaces the entry when asked', () => {
    window.history.replaceState(null, '', '/');
    const length = window.history.length;
    const { result } = renderHook(() => useRoute());
    act(() => result.current[1]({ view: 'status' }, { replace: true }));
    expect(window.location.pathname).toBe('/status');
    expect(window.history.length).toBe(length);
  });
});
