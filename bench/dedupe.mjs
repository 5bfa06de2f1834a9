// De-duplication: 1000 concurrent identical cold market.ticker calls → upstream calls made (target 1).
import { Agent, request } from 'node:http';
import { startProduct } from './lib.mjs';

function get(url, agent) {
  return new Promise((resolve, reject) => {
    request(url, { agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    })
      .on('error', reject)
      .end();
  });
}

async function upstreamCalls(url) {
  const res = await fetch(`${url}/trpc/system.stats`);
  return (await res.json()).result.data.upstream.calls.sim ?? 0;
}

export async function dedupeBench({ concurrency = 1000 } = {}) {
  const product = await startProduct({ MCP_RATE_LIMIT_REQUESTS: '1000000' });
  try {
    // load sim's markets first so only the ticker fetch itself is counted
    await fetch(
      `${product.url}/trpc/exchanges.markets?input=${encodeURIComponent(JSON.stringify({ exchange: 'sim' }))}`,
    );
    const before = await upstreamCalls(product.url);
    const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
    const url = `${product.url}/trpc/market.ticker?input=${encodeURIComponent(JSON.stringify({ exchange: 'sim', symbol: 'ETH/USDT' }))}`;
    const started = performance.now();
    const statuses = await Promise.all(Array.from({ length: concurrency }, () => get(url, agent)));
    const ms = performance.now() - started;
    agent.destroy();
    const calls = (await upstreamCalls(product.url)) - before;
    return {
      concurrency,
      ok: statuses.filter((s) => s === 200).length,
      upstreamCalls: calls,
      wallMs: Math.round(ms),
    };
  } finally {
    await product.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await dedupeBench());
