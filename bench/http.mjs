// HTTP bench: cached market.ticker over the tRPC wire vs a bare node:http server returning the same bytes.
import { spawn, execFile } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cpuSeconds, freePort, startProduct, stop, waitFor } from './lib.mjs';

const run = promisify(execFile);
const loadScript = new URL('./http-load.mjs', import.meta.url).pathname;
const bareScript = new URL('./bare-server.mjs', import.meta.url).pathname;

async function load(url, seconds, header) {
  const { stdout } = await run(
    process.execPath,
    [loadScript, url, String(seconds), '50', ...(header ? [header] : [])],
    {
      maxBuffer: 1 << 20,
    },
  );
  return JSON.parse(stdout);
}

export async function httpBench({ seconds = 8 } = {}) {
  // a large budget: the limiter runs on every request but never rejects during the run
  const product = await startProduct({ MCP_RATE_LIMIT_REQUESTS: '1000000000', MCP_TICKER_CACHE_TTL: '3600' });
  const input = encodeURIComponent(JSON.stringify({ exchange: 'sim', symbol: 'BTC/USDT' }));
  const productUrl = `${product.url}/trpc/market.ticker?input=${input}`;
  const first = await fetch(productUrl);
  await fetch(productUrl); // the second answer is the one the response cache keeps
  const body = Buffer.from(await (await fetch(productUrl)).arrayBuffer());
  if (first.status !== 200) throw new Error(`product answered ${first.status}`);

  const dir = mkdtempSync(join(tmpdir(), 'mg-bench-'));
  writeFileSync(join(dir, 'body.json'), body);
  const barePort = await freePort();
  const bare = spawn(process.execPath, [bareScript, String(barePort), join(dir, 'body.json')], {
    stdio: 'ignore',
  });
  const bareUrl = `http://127.0.0.1:${barePort}/`;
  await waitFor(async () => (await fetch(bareUrl)).ok);
  const same = Buffer.compare(Buffer.from(await (await fetch(bareUrl)).arrayBuffer()), body) === 0;

  const rows = [];
  const measure = async (name, url, pid, header) => {
    // warm-up, not recorded: both sides measured with their code already optimised by the JIT
    await load(url, 2, header);
    const cpu0 = await cpuSeconds(pid);
    const r = await load(url, seconds, header);
    const cpu = (await cpuSeconds(pid)) - cpu0;
    rows.push({ name, ...r, serverCpuCores: Math.round((cpu / seconds) * 100) / 100 });
  };
  await measure('bare node:http', bareUrl, bare.pid);
  await measure('marketgate GET /trpc/market.ticker', productUrl, product.child.pid);
  // the same with the per-request access line off (MCP_LOG_LEVEL=warn): what the log line costs
  const quiet = await startProduct({
    MCP_RATE_LIMIT_REQUESTS: '1000000000',
    MCP_TICKER_CACHE_TTL: '3600',
    MCP_LOG_LEVEL: 'warn',
  });
  const quietUrl = productUrl.replace(product.url, quiet.url);
  await fetch(quietUrl);
  await fetch(quietUrl);
  await measure('marketgate, MCP_LOG_LEVEL=warn', quietUrl, quiet.child.pid);
  await quiet.stop();
  // same request, forced past the response cache (tRPC's adapter on every call; service cache still hits)
  await measure(
    'marketgate, tRPC adapter path',
    productUrl,
    product.child.pid,
    'trpc-accept=application/json',
  );
  await stop(bare);
  await product.stop();
  const bareRow = rows[0];
  for (const row of rows) row.ratioVsBare = Math.round((row.rps / bareRow.rps) * 100) / 100;
  return { rows, sameBytes: same };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await httpBench(), null, 2));
}
