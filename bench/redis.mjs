// Scale-out: upstream calls per poll interval for 50 subscribed symbols on 1 instance, on 3 without
// Redis and on 3 sharing one Redis (target: the same as one instance), and fan-out latency (upstream
// fetch → subscriber) in-process against through Redis pub/sub. Instances run in this process on the
// built server (createServer from apps/server/dist) with a 50-market exchange standing in for `sim`
// (which lists only 32), and subscribers attach to each instance's feed hub: the transport hop
// (WebSocket/SSE) is the same either way and is left out. Bounded: about 30 s.
import { spawn, spawnSync } from 'node:child_process';
import { createConnection } from 'node:net';
import { pathToFileURL } from 'node:url';
import { freePort, root } from './lib.mjs';

const INTERVAL_MS = 500;
const WARMUP_INTERVALS = 3;
const MEASURE_INTERVALS = 12;
const SYMBOLS = Array.from({ length: 50 }, (_, i) => `S${String(i).padStart(2, '0')}/USDT`);
const SUBSCRIBERS_PER_INSTANCE = 10;

const dist = (path) => import(pathToFileURL(`${root}apps/server/dist/${path}`).href);

/** A 50-market exchange whose one fetchTickers call answers every symbol; calls are counted. */
function wideExchange(counter) {
  const markets = Object.fromEntries(
    SYMBOLS.map((symbol) => [
      symbol,
      {
        id: symbol.replace('/', ''),
        symbol,
        base: symbol.split('/')[0],
        quote: 'USDT',
        type: 'spot',
        active: true,
      },
    ]),
  );
  const unsupported = () => Promise.reject(new Error('not in this bench'));
  return {
    id: 'sim',
    name: 'Bench exchange (50 markets)',
    simulated: true,
    capabilities: {
      ticker: true,
      tickers: true,
      ohlcv: false,
      orderBook: false,
      trades: false,
      stream: false,
    },
    nativeTickers: true,
    timeframes: [],
    ohlcvPageLimit: 500,
    minPollIntervalMs: 0,
    loadMarkets: async () => markets,
    fetchTicker: unsupported,
    fetchTickers: async (symbols) => {
      counter.fetchTickers++;
      const now = Date.now();
      return Object.fromEntries(
        symbols.map((symbol, i) => [symbol, { symbol, timestamp: now, last: 100 + i + (now % 1000) / 1000 }]),
      );
    },
    fetchOHLCV: unsupported,
    fetchOrderBook: unsupported,
    fetchTrades: unsupported,
    close: async () => undefined,
  };
}

function ping(port) {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (d) => done(d.toString().startsWith('+PONG')));
  });
}

async function startRedis() {
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  const bin = found.stdout.trim();
  if (found.status !== 0 || !bin) return undefined;
  const port = await freePort();
  const child = spawn(
    bin,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  const deadline = Date.now() + 10_000;
  while (!(await ping(port))) {
    if (Date.now() > deadline) throw new Error('redis-server did not start');
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.kill('SIGKILL');
      }),
  };
}

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Runs `instances` servers (sharing `redisUrl` when given), 10 subscribers × 50 symbols on each. */
async function scenario({ name, instances, redisUrl }) {
  const { createServer } = await dist('app.js');
  const { configFrom } = await dist('config.js');
  const counter = { fetchTickers: 0 };
  const config = configFrom({
    MCP_PORT: '0',
    MCP_STREAM_MODE: 'poll',
    MCP_POLL_INTERVAL_MS: String(INTERVAL_MS),
    MCP_TICKER_CACHE_TTL: '0.2',
    MCP_LOG_LEVEL: 'silent',
    MCP_LOG_FORMAT: 'json',
    ...(redisUrl ? { MCP_REDIS_URL: redisUrl } : {}),
  });
  const servers = Array.from({ length: instances }, () =>
    createServer({
      config,
      service: { createSource: (id) => (id === 'sim' ? wideExchange(counter) : undefined) },
    }),
  );
  if (redisUrl) await Promise.all(servers.map((s) => s.deps.redis.link.ready()));
  let measuring = false;
  /** Fan-out latencies (ms) by whether the instance ran the feed itself or relayed another's. */
  const latencies = { local: [], relayed: [] };
  const subscriptions = [];
  const loops = [];
  for (const server of servers) {
    for (let n = 0; n < SUBSCRIBERS_PER_INSTANCE; n++) {
      const sub = await server.deps.feeds.subscribeTickers({ exchange: 'sim', symbols: SYMBOLS });
      subscriptions.push(sub);
      loops.push(
        (async () => {
          for await (const update of sub) {
            if (!measuring || update.event.type !== 'ticker') continue;
            const ms = Date.now() - update.event.ticker.fetchedAt;
            const relayed = server.deps.redis?.feeds.roles().sim === 'follower';
            (relayed ? latencies.relayed : latencies.local).push(ms);
          }
        })(),
      );
    }
  }
  // warm up: every instance's subscribers receiving
  await new Promise((r) => setTimeout(r, WARMUP_INTERVALS * INTERVAL_MS));
  const before = counter.fetchTickers;
  const started = Date.now();
  measuring = true;
  await new Promise((r) => setTimeout(r, MEASURE_INTERVALS * INTERVAL_MS));
  measuring = false;
  const intervals = (Date.now() - started) / INTERVAL_MS;
  const calls = counter.fetchTickers - before;
  // leases taken up to now (closing below hands leases over, which is not counted)
  const takeovers = redisUrl ? servers.reduce((n, s) => n + s.deps.redis.feeds.takeovers, 0) : undefined;
  for (const sub of subscriptions) sub.close();
  await Promise.all(loops);
  await Promise.all(servers.map((s) => s.close()));
  const rows = [];
  for (const [path, list] of Object.entries(latencies)) {
    if (list.length === 0) continue;
    list.sort((a, b) => a - b);
    rows.push({
      setup: name,
      instances,
      subscribers: instances * SUBSCRIBERS_PER_INSTANCE,
      upstreamCallsPerInterval: Math.round((calls / intervals) * 100) / 100,
      fanOut: redisUrl ? (path === 'relayed' ? 'through Redis' : 'in-process (leader)') : 'in-process',
      updates: list.length,
      p50Ms: percentile(list, 50),
      p99Ms: percentile(list, 99),
      maxMs: list.at(-1),
      ...(redisUrl ? { takeovers } : {}),
    });
  }
  return rows;
}

export async function benchSection() {
  const started = Date.now();
  const rows = [];
  rows.push(...(await scenario({ name: '1 instance', instances: 1 })));
  rows.push(...(await scenario({ name: '3 instances, no Redis', instances: 3 })));
  const redis = await startRedis();
  let note = '';
  if (redis) {
    try {
      rows.push(...(await scenario({ name: '3 instances + Redis', instances: 3, redisUrl: redis.url })));
    } finally {
      await redis.stop();
    }
  } else note = 'redis-server not installed: the Redis rows are missing. ';
  note +=
    `50 tickers polled every ${INTERVAL_MS} ms, ${SUBSCRIBERS_PER_INSTANCE} subscribers of all 50 per instance, ` +
    `${MEASURE_INTERVALS} intervals measured; fan-out = subscriber receipt − upstream fetch (fetchedAt, ms). ` +
    `Target: 3 instances + Redis make as many upstream calls per interval as 1 instance. ` +
    `takeovers = feed leases taken in the run (1 = no change of leader). ` +
    `Took ${Math.round((Date.now() - started) / 1000)} s.`;
  return {
    title:
      'Scale-out: upstream calls per interval (50 symbols) and fan-out latency, in-process vs through Redis',
    key: 'redis',
    rows,
    columns: [
      'setup',
      'instances',
      'subscribers',
      'upstreamCallsPerInterval',
      'fanOut',
      'updates',
      'p50Ms',
      'p99Ms',
      'maxMs',
      'takeovers',
    ],
    note,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { table } = await import('./lib.mjs');
  const section = await benchSection();
  console.log(section.title);
  console.log(table(section.rows, section.columns));
  console.log(section.note);
  process.exit(0);
}
