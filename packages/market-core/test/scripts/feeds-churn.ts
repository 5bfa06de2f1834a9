/**
 * Churn check, run by test/feeds-churn.test.ts as `node --expose-gc --import tsx` (vitest's workers
 * have no gc()): 10,000 subscribe/unsubscribe cycles, then no feed, listener, poller or timer is
 * left, the subscriptions themselves are collectable (WeakRef) and the heap is back near its baseline.
 * Prints one JSON line.
 */
import { FeedHub } from '../../src/feeds/hub.js';
import type { FeedSubscription } from '../../src/feeds/subscription.js';
import type { StreamMode } from '../../src/feeds/types.js';
import { MarketService } from '../../src/service.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

const CYCLES = Number(process.env.CHURN_CYCLES ?? 10_000);
const symbols = ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'];

async function settle(): Promise<void> {
  for (let i = 0; i < 4; i++) {
    gc!();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

async function waitFor(check: () => boolean, ms = 5_000): Promise<boolean> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}

async function churn(mode: StreamMode) {
  const service = new MarketService({ tickerTtlMs: 500 });
  const hub = new FeedHub({ service, mode, pollIntervalMs: 100 });
  const cycle = async (i: number): Promise<FeedSubscription> => {
    const ac = new AbortController();
    const symbol = symbols[i % symbols.length]!;
    const sub =
      i % 4 === 0
        ? await hub.subscribeOhlcv({ exchange: 'sim', symbol, timeframe: '1m' }, ac.signal)
        : await hub.subscribeTicker({ exchange: 'sim', symbol }, ac.signal);
    // read the value already there (a running feed hands it over at once): both paths exercised
    if (i % 2 === 0 && sub.backlog > 0) await sub.next();
    if (i % 3 === 0) ac.abort();
    else sub.close();
    return sub;
  };
  // warm-up: markets loaded, code paths compiled, caches filled
  for (let i = 0; i < 300; i++) await cycle(i);
  await hub.whenIdle();
  const baseTimers = timers();
  await settle();
  const baseline = process.memoryUsage().heapUsed;
  const refs: WeakRef<FeedSubscription>[] = [];
  for (let i = 0; i < CYCLES; i++) {
    const sub = await cycle(i);
    if (i % 50 === 0) refs.push(new WeakRef(sub));
  }
  await hub.whenIdle();
  const counts = hub.debugCounts();
  const stats = hub.stats();
  // sim watch calls in flight resolve within a second; their timers must go too
  const timersBack = await waitFor(() => timers() <= baseTimers);
  await settle();
  // finalisation is up to the collector: give it a few more collections, each in a job of its own
  // (deref() keeps a target alive until the end of the job that called it)
  await waitFor(() => {
    gc!();
    return refs.every((r) => r.deref() === undefined);
  }, 3_000);
  await settle();
  const after = process.memoryUsage().heapUsed;
  return {
    mode,
    cycles: CYCLES,
    counts,
    stats,
    timersBefore: baseTimers,
    timersAfter: timers(),
    timersBack,
    sampled: refs.length,
    alive: refs.filter((r) => r.deref() !== undefined).length,
    heapBaselineBytes: baseline,
    heapAfterBytes: after,
    heapGrowthBytes: after - baseline,
  };
}

const results = [await churn('poll'), await churn('auto')];
process.stdout.write(`${JSON.stringify(results)}\n`);
