// Server side of the fan-out bench, forked by bench/fanout.mjs with an IPC channel and --expose-gc.
// argv[2]: 'lean' (Marketgate, lean stream path), 'trpc' (Marketgate, tRPC's own ws handler) or
// 'bare' (a plain ws server broadcasting one pre-serialised frame to every client once a second).
import { createServer as createHttpServer } from 'node:http';
import { createRequire } from 'node:module';

// ws is a dependency of the server package, not of the workspace root
const { WebSocketServer } = createRequire(new URL('../apps/server/package.json', import.meta.url))('ws');

const mode = process.argv[2] ?? 'lean';
const gc = globalThis.gc;
let upstreamCalls = 0;
let close = async () => {};
let port;

function sampleTicker(now) {
  // the shape of a Marketgate ticker event, so both servers send frames of the same size
  return {
    type: 'ticker',
    ticker: {
      exchange: 'sim',
      symbol: 'BTC/USDT',
      timestamp: now,
      last: 64117.99,
      bid: 64117.5,
      ask: 64118.5,
      high: 64500,
      low: 63238,
      open: 64330.6,
      close: 64117.99,
      baseVolume: 14724.65375,
      quoteVolume: 940099726.8286185,
      change: -212.61,
      percentage: -0.3304959070799899,
      vwap: 63845.28579007289,
      fetchedAt: now,
      source: 'simulated',
      cached: false,
    },
  };
}

if (mode === 'bare') {
  const http = createHttpServer((_req, res) => res.end('ok'));
  const wss = new WebSocketServer({ server: http, perMessageDeflate: false });
  wss.on('connection', (ws) => ws.on('message', () => {}));
  let seq = 0;
  let timer;
  const tick = () => {
    timer = setTimeout(tick, 1000 - (Date.now() % 1000));
    upstreamCalls++;
    const now = Date.now();
    const id = String(++seq);
    const frame = Buffer.from(
      JSON.stringify({ id: 1, result: { type: 'data', id, data: { id, data: sampleTicker(now) } } }),
    );
    for (const client of wss.clients) if (client.readyState === 1) client.send(frame, { binary: false });
  };
  timer = setTimeout(tick, 1000 - (Date.now() % 1000));
  await new Promise((ok) => http.listen(0, '127.0.0.1', ok));
  port = http.address().port;
  close = async () => {
    clearTimeout(timer);
    for (const c of wss.clients) c.terminate();
    await new Promise((ok) => http.close(ok));
  };
} else {
  const { createServer, configFrom } = await import('../apps/server/dist/index.js');
  const { createSimExchange } = await import('../packages/market-core/dist/index.js');
  const config = configFrom({
    MCP_PORT: '0',
    MCP_LOG_LEVEL: 'warn',
    MCP_LOG_FORMAT: 'json',
    MCP_RATE_LIMIT_REQUESTS: '1000000000',
    MCP_STREAM_MODE: 'auto',
  });
  // sim, with its live ticker stream counted: upstream calls per interval
  const createSource = (id) => {
    if (id !== 'sim') return undefined;
    const sim = createSimExchange();
    return {
      ...sim,
      watch: {
        ...sim.watch,
        ticker: (symbol) => {
          upstreamCalls++;
          return sim.watch.ticker(symbol);
        },
      },
      fetchTickers: (symbols) => {
        upstreamCalls++;
        return sim.fetchTickers(symbols);
      },
    };
  };
  const server = createServer({ config, service: { createSource }, streaming: { lean: mode === 'lean' } });
  const url = await server.listen();
  port = Number(new URL(url).port);
  close = () => server.close();
  globalThis.__server = server;
}

function sample() {
  if (gc) for (let i = 0; i < 3; i++) gc();
  const mem = process.memoryUsage();
  const feeds = globalThis.__server?.deps.feeds.stats();
  return {
    heapUsed: mem.heapUsed,
    rss: mem.rss,
    cpu: process.cpuUsage(),
    at: performance.now(),
    upstreamCalls,
    feeds,
  };
}

process.on('message', async (msg) => {
  if (msg.type === 'sample') process.send({ type: 'sample', ...sample() });
  if (msg.type === 'close') {
    await close();
    process.send({ type: 'closed' });
    process.exit(0);
  }
});
process.send({ type: 'ready', port });
