// Consolidated-book core micro-benchmark: 3 venues × 100 levels a side merged into one book, as
// stream.consolidatedBook does for each coalesced update. Standalone (`node bench/consolidated-core.mjs`
// after `pnpm --filter @marketgate/market-core build`); also exports benchSection for bench/run.mjs.
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { computeIndexPrice, consolidateBook, priceFromBook } from '../packages/market-core/dist/index.js';
import { table } from './lib.mjs';

const VENUES = 3;
const LEVELS = 100;
const NOW = 1_715_780_000_000;

/** Deterministic PRNG (mulberry32): the same books on every run. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `VENUES` books around 60,000 on different ticks, best first, 100 levels a side. */
function venueBooks(random) {
  const ticks = [0.01, 0.1, 0.5];
  return Array.from({ length: VENUES }, (_, v) => {
    const tick = ticks[v % ticks.length];
    const mid = 60_000 + v * 1.3;
    const decimals = Math.max(0, Math.ceil(-Math.log10(tick)));
    const round = (x) => Number(x.toFixed(decimals));
    const bids = [];
    const asks = [];
    for (let i = 0; i < LEVELS; i++) {
      bids.push([round(mid - tick * (1 + i * 2)), Number((random() * 3).toFixed(5)) + 0.0001]);
      asks.push([round(mid + tick * (1 + i * 2)), Number((random() * 3).toFixed(5)) + 0.0001]);
    }
    return {
      exchange: `venue${v}`,
      book: { bids, asks, timestamp: NOW },
      receivedAt: NOW,
    };
  });
}

/** The obvious alternative: bucket every level of every venue in a Map, sort all keys, cut to depth. */
function naiveSide(snapshots, side, depth) {
  const buckets = new Map();
  for (const { exchange, book } of snapshots)
    for (const [price, amount] of book[side]) {
      const level = buckets.get(price) ?? { price, amount: 0, venues: {} };
      level.amount += amount;
      level.venues[exchange] = (level.venues[exchange] ?? 0) + amount;
      buckets.set(price, level);
    }
  return [...buckets.values()]
    .sort(side === 'bids' ? (a, b) => b.price - a.price : (a, b) => a.price - b.price)
    .slice(0, depth);
}

/**
 * CPU time per call (process.cpuUsage, not wall time: the machine is shared and wall time counts
 * time spent descheduled), best of 5 samples of ~150 ms.
 */
function measure(name, run, samples = 5, sampleMs = 150) {
  for (let i = 0; i < 3_000; i++) run(i); // warm-up: let the JIT settle
  const perOp = [];
  for (let s = 0; s < samples; s++) {
    const cpu = process.cpuUsage();
    const start = performance.now();
    let ops = 0;
    while (performance.now() - start < sampleMs) {
      for (let i = 0; i < 200; i++) run(ops + i);
      ops += 200;
    }
    const used = process.cpuUsage(cpu);
    perOp.push((used.user + used.system) / ops);
  }
  perOp.sort((a, b) => a - b);
  const best = perOp[0];
  const median = perOp[Math.floor(samples / 2)];
  return {
    name,
    cpuUsPerOp: Number(best.toFixed(2)),
    medianUsPerOp: Number(median.toFixed(2)),
    opsPerCpuS: Math.round(1e6 / best),
    // 100 subscribers each on their own (exchanges, depth, step) at 4 updates a second: the worst case
    cpuPct100Subs4Hz: Number(((best * 400) / 10_000).toFixed(3)),
  };
}

export async function benchSection() {
  const random = prng(7);
  // a few different book states so branch prediction does not see one input only
  const states = Array.from({ length: 8 }, () => venueBooks(random));
  const rule = { symbol: 'BTC/USDT', now: NOW, intervalMs: 1_000 };
  const pick = (i) => states[i % states.length];
  const rows = [
    measure('consolidateBook depth 20', (i) => consolidateBook(pick(i), { ...rule, depth: 20 })),
    measure('consolidateBook depth 100', (i) => consolidateBook(pick(i), { ...rule, depth: 100 })),
    measure('consolidateBook depth 20, step 1', (i) =>
      consolidateBook(pick(i), { ...rule, depth: 20, step: 1 }),
    ),
    measure('consolidateBook depth 100, step 0.05', (i) =>
      consolidateBook(pick(i), { ...rule, depth: 100, step: 0.05 }),
    ),
    measure('  + JSON.stringify (depth 100)', (i) =>
      JSON.stringify(consolidateBook(pick(i), { ...rule, depth: 100 })),
    ),
    measure('naive Map + full sort, depth 20 (reference)', (i) => {
      naiveSide(pick(i), 'bids', 20);
      naiveSide(pick(i), 'asks', 20);
    }),
    measure('computeIndexPrice from 3 books', (i) => computeIndexPrice(pick(i).map(priceFromBook), rule)),
  ];
  return {
    title: `Consolidated core: ${VENUES} venues × ${LEVELS} levels a side, one process, no I/O`,
    key: 'consolidatedCore',
    rows,
    columns: ['name', 'cpuUsPerOp', 'medianUsPerOp', 'opsPerCpuS', 'cpuPct100Subs4Hz'],
    note: 'CPU µs per call, best (and median) of 5 samples. cpuPct100Subs4Hz: share of one core if 100 subscribers each needed their own book 4 times a second',
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { title, rows, columns, note } = await benchSection();
  console.log(`== ${title} ==`);
  console.log(table(rows, columns));
  console.log(note);
}
