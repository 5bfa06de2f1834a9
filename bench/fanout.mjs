// Fan-out bench: one sim ticker stream at 1 msg/s to 1,000 / 5,000 / 10,000 WebSocket subscribers
// (clients in a separate process), Marketgate's lean stream path and tRPC's own ws handler side by
// side with a bare `ws` server broadcasting the same frame. Reports delivery latency p50/p99/max,
// server CPU (cores), server heap and RSS per subscriber, upstream calls per interval.
//
// Standalone: `pnpm run build && node bench/fanout.mjs` (prints a table and the JSON rows).
// From `pnpm bench`: bench/run.mjs imports benchSection().
// Env: FANOUT_SIZES=1000,5000,10000  FANOUT_SERVERS=bare,lean,trpc  FANOUT_SECONDS=5
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { table } from './lib.mjs';

const serverScript = fileURLToPath(new URL('./fanout-server.mjs', import.meta.url));
const clientScript = fileURLToPath(new URL('./fanout-clients.mjs', import.meta.url));

const LABEL = {
  bare: 'bare ws broadcast',
  lean: 'marketgate (lean path)',
  trpc: 'marketgate (tRPC ws handler)',
};

function child(script, args = [], execArgv = []) {
  const proc = fork(script, args, { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiting = new Map();
  proc.on('message', (msg) => {
    const resolve = waiting.get(msg.type);
    if (resolve) {
      waiting.delete(msg.type);
      resolve(msg);
    }
  });
  const next = (type, timeoutMs = 60_000) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${script}: no ${type} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      waiting.set(type, (msg) => {
        clearTimeout(timer);
        resolve(msg);
      });
    });
  const ask = (msg, reply, timeoutMs) => {
    const p = next(reply, timeoutMs);
    proc.send(msg);
    return p;
  };
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  return { proc, next, ask, exited };
}

const round = (x, d = 1) => (x === null || x === undefined ? null : Math.round(x * 10 ** d) / 10 ** d);

async function runCase(server, n, seconds) {
  const srv = child(serverScript, [server], ['--expose-gc']);
  const { port } = await srv.next('ready');
  const clients = child(clientScript, [], ['--max-old-space-size=2048']);
  await clients.next('ready');
  try {
    const before = await srv.ask({ type: 'sample' }, 'sample');
    const url = `ws://127.0.0.1:${port}${server === 'bare' ? '/' : '/trpc'}`;
    const connected = await clients.ask(
      { type: 'connect', url, n, subscribe: server !== 'bare' },
      'connected',
      120_000,
    );
    // let every subscription start and one update reach everyone, then measure memory at rest
    await clients.ask({ type: 'record' }, 'recording');
    await new Promise((r) => setTimeout(r, 1_500));
    await clients.ask({ type: 'stop' }, 'result');
    const loaded = await srv.ask({ type: 'sample' }, 'sample');
    await clients.ask({ type: 'record' }, 'recording');
    const start = await srv.ask({ type: 'sample' }, 'sample');
    await new Promise((r) => setTimeout(r, seconds * 1_000));
    const result = await clients.ask({ type: 'stop' }, 'result');
    const end = await srv.ask({ type: 'sample' }, 'sample');
    const wallS = (end.at - start.at) / 1_000;
    const cpuS = (end.cpu.user - start.cpu.user + end.cpu.system - start.cpu.system) / 1e6;
    return {
      server: LABEL[server],
      subscribers: n,
      connected: connected.open,
      received: result.received,
      // about one per second of the window (a client that lags counts its backlog too)
      msgsPerSub: round(result.received / n, 2),
      p50Ms: result.p50,
      p99Ms: result.p99,
      maxMs: result.max,
      serverCpuCores: round(cpuS / wallS, 3),
      heapKBPerSub: round((loaded.heapUsed - before.heapUsed) / n / 1024, 2),
      rssKBPerSub: round((loaded.rss - before.rss) / n / 1024, 2),
      upstreamPerInterval: round((end.upstreamCalls - start.upstreamCalls) / wallS, 2),
      feeds: loaded.feeds?.active ?? null,
    };
  } finally {
    await clients.ask({ type: 'close' }, 'closed').catch(() => clients.proc.kill());
    await srv.ask({ type: 'close' }, 'closed').catch(() => srv.proc.kill());
    await Promise.all([clients.exited, srv.exited]);
  }
}

export async function fanoutBench({
  sizes = (process.env.FANOUT_SIZES ?? '1000,5000,10000').split(',').map(Number),
  servers = (process.env.FANOUT_SERVERS ?? 'bare,lean,trpc').split(','),
  seconds = Number(process.env.FANOUT_SECONDS ?? 5),
} = {}) {
  const rows = [];
  for (const n of sizes) {
    const bySize = [];
    for (const server of servers) {
      const row = await runCase(server, n, seconds);
      bySize.push(row);
      rows.push(row);
    }
    const bare = bySize.find((r) => r.server === LABEL.bare);
    for (const r of bySize) r.p99VsBare = bare && bare.p99Ms ? round(r.p99Ms / bare.p99Ms, 2) : null;
  }
  return rows;
}

export const COLUMNS = [
  'server',
  'subscribers',
  'msgsPerSub',
  'p50Ms',
  'p99Ms',
  'maxMs',
  'p99VsBare',
  'serverCpuCores',
  'heapKBPerSub',
  'rssKBPerSub',
  'upstreamPerInterval',
];

export const NOTE =
  'targets: p99 ≤ 1.5× bare at 5k and ≤ 2× at 10k; heap < 10 KB per subscriber; upstream calls per interval = 1';

/** For bench/run.mjs. */
export async function benchSection() {
  const rows = await fanoutBench();
  return {
    title:
      'Fan-out: one ticker stream at 1 msg/s to N WebSocket subscribers (clients in their own process) vs bare ws',
    key: 'fanout',
    rows,
    columns: COLUMNS,
    note: NOTE,
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const started = Date.now();
  const rows = await fanoutBench();
  console.log(table(rows, COLUMNS));
  console.log(NOTE);
  console.log(`(${Math.round((Date.now() - started) / 1000)} s)`);
  console.log(JSON.stringify(rows));
}
