import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.js';

const serverDir = fileURLToPath(new URL('..', import.meta.url));

describe('config', () => {
  it('has defaults that run offline on sim', () => {
    const result = parseConfig({});
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config).toMatchObject({
      host: '127.0.0.1',
      port: 8787,
      defaultExchange: 'sim',
      tickerTtlMs: 2000,
      cacheMaxEntries: 10_000,
      rateLimit: { requests: 120, periodS: 60 },
      trustProxy: false,
      streamMode: 'auto',
      requestTimeoutMs: 10_000,
      retryAttempts: 2,
      logFormat: 'json',
    });
  });

  it('names every bad key and what is allowed', () => {
    const result = parseConfig({
      MCP_PORT: 'notaport',
      MCP_STREAM_MODE: 'sometimes',
      MCP_TRUST_PROXY: 'maybe',
      MCP_EXCHANGES: 'binance,notanexchange',
      MCP_REDIS_URL: 'http://x',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const text = result.errors.join('\n');
    expect(text).toMatch(/MCP_PORT="notaport": must be a whole number between 0 and 65535/);
    expect(text).toMatch(/MCP_STREAM_MODE="sometimes": must be auto, poll or watch/);
    expect(text).toMatch(/MCP_TRUST_PROXY="maybe": must be true or false/);
    expect(text).toMatch(/MCP_EXCHANGES=.*neither ccxt exchanges nor sim/);
    expect(text).toMatch(/MCP_REDIS_URL=.*redis:\/\//);
  });

  it('reads lists and durations', () => {
    const result = parseConfig({ MCP_EXCHANGES: 'sim, Binance', MCP_TICKER_CACHE_TTL: '0.5', MCP_DEFAULT_SYMBOLS: 'BTC/USDT' });
    expect(result.ok && result.config).toMatchObject({ exchanges: ['sim', 'binance'], tickerTtlMs: 500, defaultSymbols: ['BTC/USDT'] });
  });

  it('the server exits 1 on a bad value, naming the key', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: serverDir,
      env: { ...process.env, MCP_PORT: 'notaport' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(1);
    expect(stderr).toContain('MCP_PORT="notaport"');
  });
});
