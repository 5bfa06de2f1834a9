import { describe, expect, it } from 'vitest';
import { SharedMarketCache } from '../src/cache/shared-market-cache.js';
import type { SharedCacheStore } from '../src/cache/shared-market-cache.js';

/** One store shared by several caches (as Redis is by several instances), with a switch to take it away. */
class MemoryStore implements SharedCacheStore {
  available = true;
  failing = false;
  readonly values = new Map<string, { value: string; expires: number }>();
  readonly locks = new Map<string, { token: string; expires: number }>();
  private n = 0;

  private check() {
    if (this.failing) return Promise.reject(new Error('store down'));
    return Promise.resolve();
  }

  async read(key: string) {
    await this.check();
    const now = Date.now();
    const entry = this.values.get(key);
    const lock = this.locks.get(key);
    const live = entry && entry.expires > now ? entry : undefined;
    return {
      value: live?.value,
      ttlMs: live ? live.expires - now : -2,
      locked: lock !== undefined && lock.expires > now,
    };
  }

  async write(key: string, value: string, ttlMs: number) {
    await this.check();
    this.values.set(key, { value, expires: Date.now() + ttlMs });
  }

  async lock(key: string, ttlMs: number) {
    await this.check();
    const held = this.locks.get(key);
    if (held && held.expires > Date.now()) return undefined;
    const token = String(++this.n);
    this.locks.set(key, { token, expires: Date.now() + ttlMs });
    return token;
  }

  async unlock(key: string, token: string) {
    await this.check();
    if (this.locks.get(key)?.token === token) this.locks.delete(key);
  }
}

function loader(delayMs = 20) {
  const calls = { n: 0 };
  const load = async () => {
    calls.n++;
    await new Promise((r) => setTimeout(r, delayMs));
    return { price: 42, at: calls.n };
  };
  return { calls, load };
}

const three = (store: SharedCacheStore) =>
  [0, 1, 2].map(() => new SharedMarketCache({ store, maxEntries: 100, lockMs: 1_000 }));

describe('SharedMarketCache', () => {
  it('identical cold requests at 3 instances make one load; the others read its value', async () => {
    const store = new MemoryStore();
    const caches = three(store);
    const { calls, load } = loader();
    const results = await Promise.all(caches.map((c) => c.fetch('k', 1_000, load)));
    expect(calls.n).toBe(1);
    expect(results.map((r) => r.value)).toEqual([
      { price: 42, at: 1 },
      { price: 42, at: 1 },
      { price: 42, at: 1 },
    ]);
    expect(results.filter((r) => !r.hit)).toHaveLength(1);
    expect(caches.reduce((n, c) => n + c.sharedLoads, 0)).toBe(2);
    expect(store.locks.size).toBe(0);
  });

  it('answers a warm key from the store at another instance, then from memory', async () => {
    const store = new MemoryStore();
    const [a, b] = three(store);
    const { calls, load } = loader(0);
    expect((await a!.fetch('k', 1_000, load)).hit).toBe(false);
    expect(await b!.fetch('k', 1_000, load)).toEqual({ value: { price: 42, at: 1 }, hit: true });
    store.failing = true; // the in-process copy needs no store round trip
    expect((await b!.fetch('k', 1_000, load)).hit).toBe(true);
    expect(calls.n).toBe(1);
    expect(b!.stats()).toMatchObject({ hits: 2, misses: 0, size: 1 });
  });

  it('merges concurrent identical calls in one instance', async () => {
    const [a] = three(new MemoryStore());
    const { calls, load } = loader();
    await Promise.all(Array.from({ length: 10 }, () => a!.fetch('k', 1_000, load)));
    expect(calls.n).toBe(1);
  });

  it('works from memory alone while the store is away or failing', async () => {
    const store = new MemoryStore();
    store.available = false;
    const [a, b] = three(store);
    const { calls, load } = loader(0);
    await a!.fetch('k', 1_000, load);
    await b!.fetch('k', 1_000, load);
    expect(calls.n).toBe(2);
    expect((await a!.fetch('k', 1_000, load)).hit).toBe(true);
    store.available = true;
    store.failing = true;
    await a!.fetch('other', 1_000, load);
    expect(calls.n).toBe(3);
    expect(a!.storeErrors).toBe(1);
  });

  it('a waiter loads itself when the lock holder fails, and errors are never cached', async () => {
    const store = new MemoryStore();
    const [a, b] = three(store);
    const failing = async () => {
      await new Promise((r) => setTimeout(r, 20));
      throw new Error('upstream down');
    };
    const { calls, load } = loader(0);
    const first = a!.fetch('k', 1_000, failing);
    await new Promise((r) => setTimeout(r, 5)); // a holds the lock now
    const second = b!.fetch('k', 1_000, load);
    await expect(first).rejects.toThrow('upstream down');
    expect((await second).value).toEqual({ price: 42, at: 1 });
    expect(calls.n).toBe(1);
  });

  it('does not store values with no time to live', async () => {
    const store = new MemoryStore();
    const [a] = three(store);
    const { calls, load } = loader(0);
    await a!.fetch('k', 0, load);
    await a!.fetch('k', 0, load);
    expect(calls.n).toBe(2);
    expect(store.values.size).toBe(0);
  });
});
