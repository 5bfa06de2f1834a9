import { LRUCache } from 'lru-cache';
import type { MarketCache } from './market-cache.js';

/**
 * A store shared by several instances (Redis in apps/server/src/redis). Every method may reject
 * (store down, command timeout): the cache then carries on from memory. Values are JSON text.
 */
export interface SharedCacheStore {
  /** False while the store is known to be unreachable: the cache does not even try it. */
  readonly available: boolean;
  /** The value of `key` with its remaining time to live, and whether another instance holds the load lock. */
  read(key: string): Promise<{ value: string | undefined; ttlMs: number; locked: boolean }>;
  write(key: string, value: string, ttlMs: number): Promise<void>;
  /** Takes the load lock of `key` for `ttlMs`: a token to release it, or undefined when someone else holds it. */
  lock(key: string, ttlMs: number): Promise<string | undefined>;
  /** Releases the lock if `token` still holds it. */
  unlock(key: string, token: string): Promise<void>;
}

export interface SharedMarketCacheOptions {
  store: SharedCacheStore;
  /** Bound of the in-process layer (MCP_CACHE_MAX_ENTRIES). */
  maxEntries: number;
  /** Longest a cold request waits for another instance's load before loading itself (default 3 s). */
  lockMs?: number;
}

interface Outcome {
  value: object;
  hit: boolean;
}

/**
 * MarketCache shared through a store (Redis): an instance answers from the store what another one
 * fetched. Identical cold requests make one upstream call across instances where practical: the
 * first takes a short per-key lock and loads; the others poll the store until the value appears
 * (or the lock goes, or `lockMs` passes, and then load themselves). In-process, concurrent identical
 * calls still share one load, and values are kept in memory for the rest of their store TTL, so a
 * hot key costs no store round trip. With the store down it is the in-process cache of before.
 */
export class SharedMarketCache implements MarketCache {
  private readonly local: LRUCache<string, object>;
  private readonly inflight = new Map<string, Promise<Outcome>>();
  private readonly store: SharedCacheStore;
  private readonly lockMs: number;
  private hits = 0;
  private misses = 0;
  /** Values another instance loaded while this one waited on its lock (for tests and the bench). */
  sharedLoads = 0;
  /** Store operations that failed; the cache answered from memory instead. */
  storeErrors = 0;

  constructor(options: SharedMarketCacheOptions) {
    this.store = options.store;
    this.lockMs = options.lockMs ?? 3_000;
    this.local = new LRUCache<string, object>({ max: options.maxEntries, ttlAutopurge: false });
  }

  async fetch<T extends object>(
    key: string,
    ttlMs: number,
    load: () => Promise<T>,
  ): Promise<{ value: T; hit: boolean }> {
    const held = this.local.get(key);
    if (held !== undefined) {
      this.hits++;
      return { value: held as T, hit: true };
    }
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.resolve(key, ttlMs, load).finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    const outcome = await pending;
    if (outcome.hit) this.hits++;
    else this.misses++;
    return outcome as { value: T; hit: boolean };
  }

  private keep(key: string, value: object, ttlMs: number): void {
    if (ttlMs > 0) this.local.set(key, value, { ttl: ttlMs });
  }

  private async loadHere(key: string, ttlMs: number, load: () => Promise<object>): Promise<Outcome> {
    const value = await load();
    this.keep(key, value, ttlMs);
    return { value, hit: false };
  }

  private async attempt<R>(op: () => Promise<R>): Promise<{ ok: true; result: R } | { ok: false }> {
    try {
      return { ok: true, result: await op() };
    } catch {
      this.storeErrors++;
      return { ok: false };
    }
  }

  private async resolve(key: string, ttlMs: number, load: () => Promise<object>): Promise<Outcome> {
    if (!this.store.available || ttlMs <= 0) return this.loadHere(key, ttlMs, load);
    const first = await this.attempt(() => this.store.read(key));
    if (!first.ok) return this.loadHere(key, ttlMs, load);
    const found = this.fromStore(key, ttlMs, first.result);
    if (found) return found;

    const token = await this.attempt(() => this.store.lock(key, this.lockMs));
    if (!token.ok) return this.loadHere(key, ttlMs, load);
    if (token.result !== undefined) {
      const lockToken = token.result;
      try {
        const value = await load();
        this.keep(key, value, ttlMs);
        await this.attempt(() => this.store.write(key, JSON.stringify(value), ttlMs));
        return { value, hit: false };
      } finally {
        void this.attempt(() => this.store.unlock(key, lockToken));
      }
    }

    // another instance is loading it: wait for its value rather than asking upstream again
    const deadline = Date.now() + this.lockMs;
    let pause = 5;
    while (Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, pause));
      pause = Math.min(pause * 2, 50);
      const read = await this.attempt(() => this.store.read(key));
      if (!read.ok) break;
      const shared = this.fromStore(key, ttlMs, read.result);
      if (shared) {
        this.sharedLoads++;
        return shared;
      }
      if (!read.result.locked) break; // the holder failed or gave up: load here
    }
    return this.loadHere(key, ttlMs, load);
  }

  private fromStore(
    key: string,
    ttlMs: number,
    read: { value: string | undefined; ttlMs: number },
  ): Outcome | undefined {
    if (read.value === undefined) return undefined;
    let value: unknown;
    try {
      value = JSON.parse(read.value);
    } catch {
      return undefined;
    }
    if (typeof value !== 'object' || value === null) return undefined;
    this.keep(key, value, Math.min(ttlMs, read.ttlMs > 0 ? read.ttlMs : ttlMs));
    return { value, hit: true };
  }

  stats() {
    return { hits: this.hits, misses: this.misses, size: this.local.size };
  }

  /** Empties the in-process layer (the store's entries expire on their own). */
  clear(): void {
    this.local.clear();
  }
}
