import { afterEach, describe, expect, it } from 'vitest';
import { createSimExchange } from '../src/exchanges/sim/index.js';
import type { ExchangeSource } from '../src/exchanges/source.js';
import type { CoordinatedFeed, FeedCoordinator, FeedMembership } from '../src/feeds/coordinator.js';
import { FeedHub } from '../src/feeds/hub.js';
import type { FeedUpdate } from '../src/feeds/types.js';
import { MarketService } from '../src/service.js';

/**
 * Coordinates hubs in one process: the first hub to join a key leads it, the others follow and get
 * its updates. Stands in for the Redis coordinator to pin down the hub's side of the contract.
 */
class MemoryCoordinator {
  readonly members = new Map<string, { feed: CoordinatedFeed; leading: boolean }[]>();

  forHub(): FeedCoordinator {
    return {
      join: (feed): FeedMembership => {
        const list = this.members.get(feed.key) ?? [];
        this.members.set(feed.key, list);
        const member = { feed, leading: list.length === 0 };
        list.push(member);
        if (member.leading) feed.lead();
        else feed.follow();
        return {
          published: (update: FeedUpdate) => {
            for (const other of list)
              if (other !== member) other.feed.receive(update.event, update.sticky, update.id, update.json);
          },
          leave: () => list.splice(list.indexOf(member), 1),
        };
      },
    };
  }

  /** Moves leadership of `key` to the member at `index`. */
  handOver(key: string, index: number) {
    const list = this.members.get(key)!;
    list.forEach((m, i) => {
      m.leading = i === index;
      if (i !== index) m.feed.follow();
    });
    list[index]!.feed.lead();
  }
}

function countingSim() {
  const sim = createSimExchange();
  const calls = { fetchTickers: 0 };
  const source: ExchangeSource = {
    ...sim,
    fetchTickers: (symbols) => {
      calls.fetchTickers++;
      return sim.fetchTickers(symbols);
    },
  };
  return { source, calls };
}

const hubs: FeedHub[] = [];
afterEach(() => {
  for (const hub of hubs.splice(0)) hub.close();
});

function hubOn(source: ExchangeSource, coordinator: FeedCoordinator) {
  const service = new MarketService({
    tickerTtlMs: 1,
    createSource: (id) => (id === 'sim' ? source : undefined),
  });
  const hub = new FeedHub({ service, mode: 'poll', pollIntervalMs: 50, coordinator });
  hubs.push(hub);
  return hub;
}

async function take(sub: AsyncIterator<FeedUpdate>, n: number): Promise<FeedUpdate[]> {
  const out: FeedUpdate[] = [];
  while (out.length < n) {
    const { value, done } = await sub.next();
    if (done) break;
    if (value.event.type === 'ticker') out.push(value);
  }
  return out;
}

describe('FeedHub with a coordinator', () => {
  it('runs the upstream feed at the leader only; followers relay its updates with the same ids', async () => {
    const coordinator = new MemoryCoordinator();
    const { source, calls } = countingSim();
    const [a, b] = [hubOn(source, coordinator.forHub()), hubOn(source, coordinator.forHub())];
    const subA = await a.subscribeTicker({ exchange: 'sim', symbol: 'BTC/USDT' });
    const subB = await b.subscribeTicker({ exchange: 'sim', symbol: 'BTC/USDT' });
    const [fromA, fromB] = await Promise.all([take(subA, 3), take(subB, 3)]);
    expect(fromB.map((u) => u.id)).toEqual(expect.arrayContaining([fromA.at(-1)!.id]));
    expect(a.stats().modes).toEqual({ 'ticker:sim:BTC/USDT': 'poll' });
    expect(b.stats().modes).toEqual({ 'ticker:sim:BTC/USDT': 'remote' });
    expect(b.debugCounts()).toMatchObject({ feeds: 1, pollers: 0 });
    const polls = calls.fetchTickers;
    expect(polls).toBeGreaterThanOrEqual(3);
    expect(polls).toBeLessThanOrEqual(6); // one hub polling, not two

    // hand over: b polls now, a relays; a's poller goes away
    coordinator.handOver('ticker:sim:BTC/USDT', 1);
    const [afterA] = await Promise.all([take(subA, 2), take(subB, 2)]);
    expect(a.stats().modes).toEqual({ 'ticker:sim:BTC/USDT': 'remote' });
    expect(b.stats().modes).toEqual({ 'ticker:sim:BTC/USDT': 'poll' });
    expect(a.debugCounts().pollers).toBe(0);
    expect(afterA).toHaveLength(2);

    subA.close();
    subB.close();
    await Promise.all([a.whenIdle(), b.whenIdle()]);
    expect(coordinator.members.get('ticker:sim:BTC/USDT')).toEqual([]);
  });

  it('does not count listeners held for other instances as subscribers', async () => {
    const coordinator = new MemoryCoordinator();
    const { source } = countingSim();
    const hub = hubOn(source, coordinator.forHub());
    const spec = await hub.open({ channel: 'ticker', exchange: 'sim', symbol: 'ETH/USDT' });
    const detach = hub.attach(spec, { remote: true, onUpdate: () => undefined, onEnd: () => undefined });
    expect(hub.stats()).toMatchObject({ active: 1, subscribers: 0 });
    detach();
    await hub.whenIdle();
  });
});
