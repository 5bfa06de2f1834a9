// Client side of the fan-out bench, forked by bench/fanout.mjs: N WebSocket clients in this one
// process, each holding one stream.ticker subscription (the tRPC ws protocol, as the typed client
// sends it), recording delivery latency = arrival time − the ticker's fetchedAt.
import { createRequire } from 'node:module';

// ws is a dependency of the server package, not of the workspace root
const { WebSocket } = createRequire(new URL('../apps/server/package.json', import.meta.url))('ws');

const sockets = [];
let recording = false;
let latencies = [];
let received = 0;
let errors = 0;
const FETCHED_AT = /"fetchedAt":(\d+)/;

function onMessage(data) {
  const now = Date.now();
  if (!recording) return;
  const m = FETCHED_AT.exec(data.toString());
  if (!m) return;
  received++;
  latencies.push(now - Number(m[1]));
}

function open(url, subscribe, id) {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.on('open', () => {
      if (subscribe)
        ws.send(
          JSON.stringify({
            id,
            method: 'subscription',
            params: { path: 'stream.ticker', input: { exchange: 'sim', symbol: 'BTC/USDT' } },
          }),
        );
      resolve();
    });
    ws.on('message', onMessage);
    ws.on('error', () => {
      errors++;
      resolve();
    });
    sockets.push(ws);
  });
}

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

process.on('message', async (msg) => {
  if (msg.type === 'connect') {
    const { url, n, subscribe } = msg;
    const BATCH = 250;
    for (let i = 0; i < n; i += BATCH) {
      // request ids 1..10, as clients holding several subscriptions number them
      await Promise.all(
        Array.from({ length: Math.min(BATCH, n - i) }, (_, k) => open(url, subscribe, 1 + ((i + k) % 10))),
      );
    }
    process.send({ type: 'connected', open: sockets.filter((s) => s.readyState === 1).length, errors });
  }
  if (msg.type === 'record') {
    latencies = [];
    received = 0;
    recording = true;
    process.send({ type: 'recording' });
  }
  if (msg.type === 'stop') {
    recording = false;
    const sorted = Float64Array.from(latencies).sort();
    process.send({
      type: 'result',
      received,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      max: sorted.length ? sorted[sorted.length - 1] : null,
      closedByServer: sockets.filter((s) => s.readyState !== 1).length,
    });
  }
  if (msg.type === 'close') {
    for (const ws of sockets) ws.terminate();
    process.send({ type: 'closed' });
    process.exit(0);
  }
});
process.send({ type: 'ready' });
