import { act, renderHook } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import { useWatchlist } from './storage';

const defaults = ['BTC/USDT', 'ETH/USDT'];

describe('useWatchlist', () => {
  beforeEach(() => window.localStorage.clear());

  it('starts from the defaults and persists changes per exchange', () => {
    const { result } = renderHook(() => useWatchlist('sim', defaults));
    expect(result.current.symbols).toEqual(defaults);
    expect(result.current.saved).toBe(false);

    act(() => result.current.add('SOL/USDT'));
    expect(result.current.symbols).toEqual(['BTC/USDT', 'ETH/USDT', 'SOL/USDT']);
    expect(JSON.parse(window.localStorage.getItem('marketgate:watchlist:sim') ?? '[]')).toEqual(
      result.current.symbols,
    );

    act(() => result.current.add('SOL/USDT'));
    expect(result.current.symbols).toHaveLength(3);

    act(() => result.current.remove('BTC/USDT'));
    expect(result.current.symbols).toEqual(['ETH/USDT', 'SOL/USDT']);

    act(() => result.current.move('SOL/USDT', -1));
    expect(result.current.symbols).toEqual(['SOL/USDT', 'ETH/USDT']);

    const other = renderHook(() => useWatchlist('binance', defaults));
    expect(other.result.current.symbols).toEqual(defaults);
  });

  it('keeps an emptied list empty, and ignores broken storage', () => {
    const { result } = renderHook(() => useWatchlist('sim', defaults));
    act(() => result.current.remove('BTC/USDT'));
    act(() => result.current.remove('ETH/USDT'));
    expect(result.current.symbols).toEqual([]);
    expect(result.current.saved).toBe(true);

    window.localStorage.setItem('marketgate:watchlist:okx', '{not json');
    expect(renderHook(() => useWatchlist('okx', defaults)).result.current.symbols).toEqual(defaults);
    window.localStorage.setItem('marketgate:watchlist:kraken', JSON.stringify(['A/B', 3, '', null]));
    expect(renderHook(() => useWatchlist('kraken', defaults)).result.current.symbols).toEqual(['A/B']);
  });

  it('follows changes made in another tab', () => {
    const { result } = renderHook(() => useWatchlist('sim', defaults));
    act(() => {
      window.localStorage.setItem('marketgate:watchlist:sim', JSON.stringify(['XRP/USDT']));
      window.dispatchEvent(new StorageEvent('storage', { key: 'marketgate:watchlist:sim' }));
    });
    expect(result.current.symbols).toEqual(['XRP/USDT']);
  });
});
