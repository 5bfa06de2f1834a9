import { act, renderHook } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { useDebounced, useFlash, useSlashShortcut } from './hooks';

describe('useFlash', () => {
  it('flashes up or down on every change, never on the first value', () => {
    const { result, rerender } = renderHook<ReturnType<typeof useFlash>, { v: number | null }>(
      ({ v }) => useFlash(v),
      { initialProps: { v: 100 } },
    );
    expect(result.current).toEqual({ flash: null, tick: 0 });
    rerender({ v: 101 });
    expect(result.current).toEqual({ flash: 'up', tick: 1 });
    rerender({ v: 102 });
    expect(result.current).toEqual({ flash: 'up', tick: 2 });
    rerender({ v: 102 });
    expect(result.current.tick).toBe(2);
    rerender({ v: 99 });
    expect(result.current).toEqual({ flash: 'down', tick: 3 });
    rerender({ v: null });
    rerender({ v: 50 });
    expect(result.current.tick).toBe(3);
  });
});

describe('useDebounced', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('settles after the delay', () => {
    const { result, rerender } = renderHook(({ v }) => useDebounced(v, 150), { initialProps: { v: 'a' } });
    rerender({ v: 'ab' });
    rerender({ v: 'abc' });
    expect(result.current).toBe('a');
    act(() => {
      vi.advanceTimersByTime(150);
    });
    expect(result.current).toBe('abc');
  });
});

describe('useSlashShortcut', () => {
  it('fires on "/" outside text fields only', () => {
    const onSlash = vi.fn();
    renderHook(() => useSlashShortcut(onSlash));
    window.dispatchEvent(new KeyboardEvent('keydown', { key: '/' }));
    expect(onSlash).toHaveBeenCalledTimes(1);

    const input = document.createElement('input');
    document.body.append(input);
    input.dispatchEvent(new KeyboardEvent('keydown', { key: '/', bubbles: true }));
    expect(onSlash).toHaveBeenCalledTimes(1);
    input.remove();

    window.dispatchEvent(new KeyboardEvent('keydown', { key: '/', ctrlKey: true }));
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'a' }));
    expect(onSlash).toHaveBeenCalledTimes(1);
  });
});
