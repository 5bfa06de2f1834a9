import { createSimExchange } from '../../src/exchanges/sim/index.js';
import type { ExchangeSource } from '../../src/exchanges/source.js';

/**
 * sim behind a "real" exchange id, with upstream calls counted per method and optional overrides:
 * the stand-in for a real exchange in service and feed tests.
 */
export function countingSource(overrides: Partial<ExchangeSource> = {}, now: () => number = Date.now) {
  const sim = createSimExchange({ now });
  const calls: Record<string, number> = {};
  const count =
    <A extends unknown[], R>(name: string, fn: (...args: A) => Promise<R>) =>
    (...args: A) => {
      calls[name] = (calls[name] ?? 0) + 1;
      return fn(...args);
    };
  const source: ExchangeSource = {
    ...sim,
    id: 'testex',
    simulated: false,
    minPollIntervalMs: 50,
    loadMarkets: count('loadMarkets', sim.loadMarkets.bind(sim)),
    fetchTicker: count('fetchTicker', sim.fetchTicker.bind(sim)),
    fetchTickers: count('fetchTickers', sim.fetchTickers.bind(sim)),
    fetchOHLCV: count('fetchOHLCV', sim.fetchOHLCV.bind(sim)),
    fetchOrderBook: count('fetchOrderBook', sim.fetchOrderBook.bind(sim)),
    fetchTrades: count('fetchTrades', sim.fetchTrades.bind(sim)),
    ...overrides,
  };
  return { source, calls, sim };
}
