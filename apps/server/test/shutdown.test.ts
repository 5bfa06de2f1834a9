import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { request } from 'node:http';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const serverDir = fileURLToPath(new URL('..', import.meta.url));

function get(url: string): Promise<{ status: number; body: string; headersAt: Promise<void> }> {
  let headersArrived!: () => void;
  const headersAt = new Promise<void>((resolve) => (headersArrived = resolve));
  return new Promise((resolve, reject) => {
    request(url, { agent: false }, (res) => {
      headersArrived();
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headersAt }));
    })
      .on('error', reject)
      .end();
  });
}

describe('graceful shutdown', () => {
  it('on SIGTERM finishes in-flight requests and exits 0 within 5 s', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: serverDir,
      env: { ...process.env, MCP_PORT: '0', MCP_LOG_FORMAT: 'json' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const lines = createInterface({ input: child.stdout });
    const logs: Record<string, unknown>[] = [];
    let url = '';
    for await (const line of lines) {
      const entry = JSON.parse(line) as Record<string, unknown>;
      logs.push(entry);
      if (typeof entry.url === 'string') {
        url = entry.url;
        break;
      }
    }
    lines.on('line', (line) => logs.push(JSON.parse(line) as Record<string, unknown>));
    const exited = once(child, 'exit') as Promise<[number | null]>;

    const big = (symbol: string) =>
      `${url}/trpc/market.ohlcv?input=${encodeURIComponent(JSON.stringify({ exchange: 'sim', symbol, limit: 5000 }))}`;
    const inFlight = ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'].map((s) => get(big(s)));
    await Promise.race(inFlight.map((p) => p.then((r) => r.headersAt)));
    const signalledAt = Date.now();
    child.kill('SIGTERM');

    const results = await Promise.all(inFlight);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(
      results.every(
        (r) =>
          (JSON.parse(r.body) as { result: { data: { candles: unknown[] } } }).result.data.candles.length ===
          5000,
      ),
    ).toBe(true);
    const [code] = await exited;
    expect(code).toBe(0);
    expect(Date.now() - signalledAt).toBeLessThan(5_000);
    expect(logs.some((l) => l.msg === 'stopped')).toBe(true);
  });
});
