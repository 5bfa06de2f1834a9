import { describe, expect, it } from 'vitest';
import { LruMarketCache } from '../src/cache/lru-market-cache.js';

function setup(maxEntries = 100) {
  let now = 1_000_000;
  const cache = new LruMarketCache({ maxEntries, now: () => now });
  let loads = 0;
  const load = (value: string) => async () => {
    loads++;
    return { value };
  };
  return { cache, load, loads: () => loads, advance: (ms: number) => (now += ms) };
}

describe('LruMarketCache', () => {
  it('serves from cache within the TTL and reloads after it', async () => {
    const { cache, load, loads, advance } = setup();
    expect((await cache.fetch('k', 2_000, load('a'))).hit).toBe(false);
    advance(1_999);
    const second = await cache.fetch('k', 2_000, load('b'));
    expect(second).toEqual({ value: { value: 'a' }, hit: true });
    advance(2);
    const third = await cache.fetch('k', 2_000, load('c'));
    expect(third).toEqual({ value: { value: 'c' }, hit: false });
    expect(loads()).toBe(2);
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 2 });
  });

  it('keeps at most maxEntries, evicting the least recently used', async () => {
    const { cache, load } = setup(3);
    for (const key of ['a', 'b', 'c']) await cache.fetch(key, 60_000, load(key));
    await cache.fetch('a', 60_000, load('a')); // a is now most recent
    await cache.fetch('d', 60_000, load('d'));
    expect(cache.stats().size).toBe(3);
    expect((await cache.fetch('a', 60_000, load('a2'))).hit).toBe(true);
    expect((await cache.fetch('b', 60_000, load('b2'))).hit).toBe(false); // evicted
  });

  it('merges concurrent misses of one key into a single load', async () => {
    const { cache } = setup();
    let loads = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slowLoad = async () => {
      loads++;
      await gate;
      return { n: 42 };
    };
    const calls = Array.from({ length: 50 }, () => cache.fetch('same', 1_000, slowLoad));
    release();
    const results = await Promise.all(calls);
    expect(loads).toBe(1);
    expect(results.every((r) => r.value.n === 42 && !r.hit)).toBe(true);
  });

  it('does not cache failures: the next call loads again', async () => {
    const { cache } = setup();
    let attempt = 0;
    const flaky = async () => {
      attempt++;
      if (attempt === 1) throw new Error('boom');
      return { ok: true };
    };
    await expect(cache.fetch('f', 60_000, flaky)).rejects.toThrow('boom');
    await expect(cache.fetch('f', 60_000, flaky)).resolves.toEqual({ value: { ok: true }, hit: false });
    expect(attempt).toBe(2);
  });
});
