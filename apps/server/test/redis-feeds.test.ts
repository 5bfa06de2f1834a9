import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMarketClient } from '@marketgate/client';
import type { MarketClient } from '@marketgate/client';
import type { TickerStreamEvent } from '@marketgate/market-core';
import { spawnInstance } from './helpers/instances.js';
import type { Instance } from './helpers/instances.js';
import { RedisServer, requireRedis } from './helpers/redis-server.js';

const INTERVAL_MS = 1_000;
const KEY = 'ticker:sim:BTC/USDT';
const PER_INSTANCE = 100;

async function eventually(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** One subscriber: when it last got a ticker, and that ticker's (upstream) timestamp. */
interface Sub {
  instance: number;
  received: number;
  lastAt: number;
  lastTimestamp: number;
  /** When it first got data fetched after the leader was killed. */
  freshAt: number;
  stop: () => void;
}

let killedAt = Infinity;

const haveRedis = requireRedis();

describe.runIf(haveRedis)('live feeds across 3 instances (separate processes) on one Redis', () => {
  let redis: RedisServer;
  let instances: Instance[] = [];
  let clients: MarketClient[] = [];
  const subs: Sub[] = [];
  let survivorIds: number[] = [];

  beforeAll(async () => {
    redis = await RedisServer.start();
    instances = await Promise.all(
      [0, 1, 2].map(() =>
        spawnInstance({
          MCP_REDIS_URL: redis.url,
          MCP_STREAM_MODE: 'poll',
          MCP_POLL_INTERVAL_MS: String(INTERVAL_MS),
          MCP_TICKER_CACHE_TTL: '0.2',
          MCP_RATE_LIMIT_REQUESTS: '100000',
          MCP_LOG_LEVEL: 'info',
        }),
      ),
    );
    // the third instance's subscribers use SSE, the others one WebSocket each
    clients = instances.map((inst, i) =>
      createMarketClient({ url: inst.url, maxStreamRetries: 0, transport: i === 2 ? 'sse' : 'ws' }),
    );
    await eventually(
      async () =>
        (await Promise.all(clients.map((c) => c.system.health.query()))).every((h) => h.status === 'ok'),
      20_000,
      'instances connected to redis',
    );
  }, 90_000);

  afterAll(async () => {
    for (const s of subs) s.stop();
    await Promise.all(instances.map((i) => i.kill()));
    await redis?.stop();
  });

  const stats = () => Promise.all(clients.map((c) => c.system.stats.query()));

  it('runs one upstream feed for 300 subscribers spread over the 3, and a survivor takes over within 2 intervals when the leader dies', async () => {
    for (let i = 0; i < 3; i++)
      for (let n = 0; n < PER_INSTANCE; n++) {
        const sub: Sub = {
          instance: i,
          received: 0,
          lastAt: 0,
          lastTimestamp: 0,
          freshAt: 0,
          stop: () => undefined,
        };
        const s = clients[i]!.stream.ticker.subscribe(
          { exchange: 'sim', symbol: 'BTC/USDT' },
          {
            onData: ({ data }: { data: TickerStreamEvent }) => {
              if (data.type !== 'ticker') return;
              sub.received++;
              sub.lastAt = Date.now();
              sub.lastTimestamp = data.ticker.timestamp ?? 0;
              if (!sub.freshAt && sub.lastTimestamp > killedAt) sub.freshAt = sub.lastAt;
            },
          },
        );
        sub.stop = () => s.unsubscribe();
        subs.push(sub);
      }
    await eventually(() => subs.every((s) => s.received >= 2), 15_000, 'every subscriber receiving');

    // exactly one instance runs the feed; the others relay it
    let all = await stats();
    const modes = all.map((s) => s.feeds.modes?.[KEY]);
    expect(modes.filter((m) => m === 'poll')).toHaveLength(1);
    expect(modes.filter((m) => m === 'remote')).toHaveLength(2);
    expect(all.map((s) => s.feeds.subscribers)).toEqual([PER_INSTANCE, PER_INSTANCE, PER_INSTANCE]);
    const leader = modes.indexOf('poll');

    // upstream calls over a few intervals: the leader's alone, one per interval as with one instance
    const before = all.map((s) => s.upstream.calls.sim ?? 0);
    const startedAt = Date.now();
    const probe = subs.find((s) => s.instance !== leader)!;
    const target = probe.received + 4;
    await eventually(() => probe.received >= target, 10_000, 'four more updates');
    all = await stats();
    const elapsedIntervals = (Date.now() - startedAt) / INTERVAL_MS;
    const delta = all.map((s, i) => (s.upstream.calls.sim ?? 0) - before[i]!);
    for (let i = 0; i < 3; i++) if (i !== leader) expect(delta[i]).toBe(0);
    expect(delta[leader]).toBeGreaterThanOrEqual(3);
    expect(delta[leader]).toBeLessThanOrEqual(Math.ceil(elapsedIntervals) + 1);

    // kill the leader (SIGKILL: no lease released); the survivors' subscribers keep receiving
    killedAt = Date.now();
    await instances[leader]!.kill();
    const survivors = subs.filter((s) => s.instance !== leader);
    await eventually(
      () => survivors.every((s) => s.freshAt > 0),
      10_000,
      'data fetched after the kill at every survivor',
    );
    const takeoverMs = Math.max(...survivors.map((s) => s.freshAt)) - killedAt;
    expect(takeoverMs).toBeLessThan(2 * INTERVAL_MS);

    const rest = [0, 1, 2].filter((i) => i !== leader);
    const after = await Promise.all(rest.map((i) => clients[i]!.system.stats.query()));
    const restModes = after.map((s) => s.feeds.modes?.[KEY]).sort();
    expect(restModes).toEqual(['poll', 'remote']);
    console.log(`takeover: survivors received fresh data ${takeoverMs} ms after the leader was killed`);
    survivorIds = rest;
  }, 60_000);

  it('keeps the survivors streaming on their own while Redis is away (degraded), one feed again once it returns', async () => {
    expect(survivorIds).toHaveLength(2);
    const survivors = subs.filter((s) => survivorIds.includes(s.instance));
    const live = clients.filter((_, i) => survivorIds.includes(i));
    await redis.stop();
    const stoppedAt = Date.now();
    await eventually(
      async () =>
        (await Promise.all(live.map((c) => c.system.health.query()))).every((h) => h.status === 'degraded'),
      10_000,
      'degraded',
    );
    await eventually(
      () => survivors.every((s) => s.lastTimestamp > stoppedAt + INTERVAL_MS),
      10_000,
      'fresh data at every survivor without Redis',
    );
    // each runs its own feed meanwhile
    let modes = (await Promise.all(live.map((c) => c.system.stats.query()))).map((s) => s.feeds.modes?.[KEY]);
    expect(modes).toEqual(['poll', 'poll']);

    await redis.start();
    await eventually(
      async () =>
        (await Promise.all(live.map((c) => c.system.health.query()))).every((h) => h.status === 'ok'),
      10_000,
      'ok again',
    );
    await eventually(
      async () => {
        modes = (await Promise.all(live.map((c) => c.system.stats.query()))).map((s) => s.feeds.modes?.[KEY]);
        return [...modes].sort().join() === 'poll,remote';
      },
      10_000,
      'one leader again',
    );
    const rejoinedAt = Date.now();
    await eventually(
      () => survivors.every((s) => s.lastTimestamp > rejoinedAt),
      10_000,
      'data after rejoining at every survivor',
    );
  }, 60_000);
});

