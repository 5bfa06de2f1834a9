import { LRUCache } from 'lru-cache';
import type { MarketCache } from './market-cache.js';

type Loader = () => Promise<object>;

/** In-process MarketCache on lru-cache: TTL per entry, bounded size, in-flight fetches shared. */
export class LruMarketCache implements MarketCache {
  private readonly lru: LRUCache<string, object, Loader>;
  private hits = 0;
  private misses = 0;

  constructor(options: { maxEntries: number; now?: () => number }) {
    this.lru = new LRUCache<string, object, Loader>({
      max: options.maxEntries,
      ttlAutopurge: false,
      // lru-cache reads time through perf.now(); tests swap it for a fake clock
      ...(options.now ? { perf: { now: options.now }, ttlResolution: 0 } : {}),
      fetchMethod: (_key, _stale, { context }) => context(),
    });
  }

  async fetch<T extends object>(
    key: string,
    ttlMs: number,
    load: () => Promise<T>,
  ): Promise<{ value: T; hit: boolean }> {
    const status: LRUCache.Status<string, object, Loader> = {};
    const value = await this.lru.fetch(key, { context: load, ttl: ttlMs, status });
    // 'inflight' means this call joined another caller's load: a merged miss, not a cache hit
    const hit = status.fetch === 'hit';
    if (hit) this.hits++;
    else this.misses++;
    if (value === undefined) throw new Error(`cache load for ${key} produced no value`);
    return { value: value as T, hit };
  }

  stats() {
    return { hits: this.hits, misses: this.misses, size: this.lru.size };
  }

  clear(): void {
    this.lru.clear();
  }
}
