/** A TTL cache that merges concurrent misses: N identical cold requests run `load` once. */
export interface MarketCache {
  /** `hit` is true when the value came from the cache rather than from this call's or a merged load. */
  fetch<T extends object>(
    key: string,
    ttlMs: number,
    load: () => Promise<T>,
  ): Promise<{ value: T; hit: boolean }>;
  stats(): { hits: number; misses: number; size: number };
  clear(): void;
}
