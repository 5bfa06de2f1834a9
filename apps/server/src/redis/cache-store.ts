import { randomUUID } from 'node:crypto';
import type { SharedCacheStore } from '@marketgate/market-core';
import type { RedisLink } from './link.js';

/** Deletes the lock only if the token still holds it (a lock that expired may be someone else's by now). */
const UNLOCK = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0`;

/**
 * The shared cache's store in Redis: `mg:c:<key>` holds the JSON value with its TTL (PX), and
 * `mg:l:<key>` the short load lock (SET NX PX with a random token).
 */
export class RedisCacheStore implements SharedCacheStore {
  constructor(
    private readonly link: RedisLink,
    private readonly prefix = 'mg:',
  ) {}

  get available(): boolean {
    return this.link.client.status === 'ready';
  }

  async read(key: string): Promise<{ value: string | undefined; ttlMs: number; locked: boolean }> {
    const results = await this.link.client
      .pipeline()
      .get(`${this.prefix}c:${key}`)
      .pttl(`${this.prefix}c:${key}`)
      .exists(`${this.prefix}l:${key}`)
      .exec();
    if (!results) throw new Error('redis pipeline aborted');
    for (const [error] of results) if (error) throw error;
    const [value, ttl, locked] = results.map(([, v]) => v) as [string | null, number, number];
    return { value: value ?? undefined, ttlMs: ttl, locked: locked === 1 };
  }

  async write(key: string, value: string, ttlMs: number): Promise<void> {
    await this.link.client.set(`${this.prefix}c:${key}`, value, 'PX', Math.max(1, Math.round(ttlMs)));
  }

  async lock(key: string, ttlMs: number): Promise<string | undefined> {
    const token = randomUUID();
    const ok = await this.link.client.set(`${this.prefix}l:${key}`, token, 'PX', Math.max(1, ttlMs), 'NX');
    return ok === 'OK' ? token : undefined;
  }

  async unlock(key: string, token: string): Promise<void> {
    await this.link.client.eval(UNLOCK, 1, `${this.prefix}l:${key}`, token);
  }
}
