import { afterEach, describe, expect, it, vi } from 'vitest';
import { CONSOLIDATED_BOOK_MAX_PER_SECOND, createCoalescer } from '../../src/consolidated/coalesce.js';
import type { CoalescerTimers } from '../../src/consolidated/coalesce.js';

/** A hand-driven clock: timers fire only when the test advances time. */
function manualTimers() {
  let now = 0;
  let nextId = 0;
  const pending = new Map<number, { at: number; callback: () => void }>();
  const timers: CoalescerTimers = {
    now: () => now,
    setTimeout: (callback, ms) => {
      pending.set(++nextId, { at: now + ms, callback });
      return nextId;
    },
    clearTimeout: (handle) => {
      pending.delete(handle as number);
    },
  };
  return {
    timers,
    get armed() {
      return pending.size;
    },
    advance(ms: number) {
      const until = now + ms;
      for (;;) {
        const due = [...pending.entries()]
          .filter(([, t]) => t.at <= until)
          .sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        pending.delete(due[0]);
        now = due[1].at;
        due[1].callback();
      }
      now = until;
    },
  };
}

describe('createCoalescer (injected timers)', () => {
  it('delivers the first state at once, then the newest of a burst on the trailing edge', () => {
    const clock = manualTimers();
    const seen: [number, string][] = [];
    const c = createCoalescer<string>({
      maxPerSecond: CONSOLIDATED_BOOK_MAX_PER_SECOND,
      deliver: (v) => seen.push([clock.timers.now(), v]),
      onError: (e) => {
        throw e;
      },
      timers: clock.timers,
    });
    c.push('a');
    expect(seen).toEqual([[0, 'a']]);
    clock.advance(10);
    c.push('b');
    clock.advance(10);
    c.push('c');
    expect(c.pending).toBe(true);
    expect(clock.armed).toBe(1);
    clock.advance(300);
    expect(seen).toEqual([
      [0, 'a'],
      [250, 'c'],
    ]);
    expect(c.pending).toBe(false);
    expect(clock.armed).toBe(0);
    // 70 ms after the last delivery: waits for its turn
    c.push('d');
    expect(seen.at(-1)).toEqual([250, 'c']);
    clock.advance(180);
    expect(seen.at(-1)).toEqual([500, 'd']);
    // after a quiet spell the next state goes out immediately again
    clock.advance(400);
    c.push('e');
    expect(seen.at(-1)).toEqual([900, 'e']);
    expect(clock.armed).toBe(0);
  });

  it('never delivers more than N a second under a continuous stream, and always ends on the newest state', () => {
    const clock = manualTimers();
    const times: number[] = [];
    let last = -1;
    const c = createCoalescer<number>({
      maxPerSecond: 4,
      deliver: (v) => {
        times.push(clock.timers.now());
        last = v;
      },
      onError: () => undefined,
      timers: clock.timers,
    });
    for (let i = 0; i < 500; i++) {
      c.push(i);
      clock.advance(7); // ~143 updates a second offered
    }
    clock.advance(1_000);
    expect(last).toBe(499);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(250);
    for (const start of times)
      expect(times.filter((t) => t >= start && t < start + 1_000).length).toBeLessThanOrEqual(4);
    expect(times.length).toBe(Math.floor(3_500 / 250) + 1);
    expect(clock.armed).toBe(0);
  });

  it('leaves no timer behind when stopped and ignores later states', () => {
    const clock = manualTimers();
    const seen: number[] = [];
    const c = createCoalescer<number>({
      maxPerSecond: 4,
      deliver: (v) => seen.push(v),
      onError: () => undefined,
      timers: clock.timers,
    });
    c.push(1);
    c.push(2);
    expect(clock.armed).toBe(1);
    c.stop();
    expect(clock.armed).toBe(0);
    expect(c.pending).toBe(false);
    c.push(3);
    clock.advance(10_000);
    expect(seen).toEqual([1]);
    expect(clock.armed).toBe(0);
  });

  it('hands a throwing consumer’s error to onError and keeps going', () => {
    const clock = manualTimers();
    const errors: unknown[] = [];
    const seen: number[] = [];
    const c = createCoalescer<number>({
      maxPerSecond: 4,
      deliver: (v) => {
        if (v === 2) throw new Error('consumer broke');
        seen.push(v);
      },
      onError: (e) => errors.push(e),
      timers: clock.timers,
    });
    c.push(1);
    c.push(2);
    clock.advance(250); // the trailing delivery throws inside the timer callback
    c.push(3);
    clock.advance(250);
    expect(seen).toEqual([1, 3]);
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toBe('consumer broke');
  });

  it('spaces a state pushed from inside deliver like any other', () => {
    const clock = manualTimers();
    const seen: [number, number][] = [];
    const c = createCoalescer<number>({
      maxPerSecond: 2,
      deliver: (v) => {
        seen.push([clock.timers.now(), v]);
        if (v < 3) c.push(v + 1);
      },
      onError: () => undefined,
      timers: clock.timers,
    });
    c.push(1);
    clock.advance(2_000);
    expect(seen).toEqual([
      [0, 1],
      [500, 2],
      [1_000, 3],
    ]);
  });

  it('rejects a rate that is not a positive number', () => {
    for (const maxPerSecond of [0, -1, Number.NaN, Number.POSITIVE_INFINITY])
      expect(() =>
        createCoalescer({ maxPerSecond, deliver: () => undefined, onError: () => undefined }),
      ).toThrow(/maxPerSecond/);
  });
});

describe('createCoalescer (default timers under vitest fake timers)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('coalesces on the real timer functions and clears its timer on stop', () => {
    vi.useFakeTimers();
    const seen: string[] = [];
    const c = createCoalescer<string>({
      maxPerSecond: 4,
      deliver: (v) => seen.push(v),
      onError: () => undefined,
    });
    c.push('a');
    c.push('b');
    c.push('c');
    expect(seen).toEqual(['a']);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(249);
    expect(seen).toEqual(['a']);
    vi.advanceTimersByTime(1);
    expect(seen).toEqual(['a', 'c']);
    c.push('d');
    expect(vi.getTimerCount()).toBe(1);
    c.stop();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(1_000);
    expect(seen).toEqual(['a', 'c']);
  });
});
