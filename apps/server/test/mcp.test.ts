import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import ccxt from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CAPS, TOOL_NAMES } from '../src/mcp/tools.js';
import { failingSource, startTestServer } from './helpers/server.js';
import type { TestServer } from './helpers/server.js';

const serverDir = fileURLToPath(new URL('..', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const readmePath = fileURLToPath(new URL('../../../README.md', import.meta.url));
const builtStdio = fileURLToPath(new URL('../dist/mcp-stdio.js', import.meta.url));

const EXPECTED_TOOLS = [
  'list_exchanges',
  'search_markets',
  'get_ticker',
  'get_tickers',
  'get_ohlcv',
  'get_order_book',
  'get_trades',
];

interface ToolError {
  error: { reason: string; message: string; retryable: boolean; retryAfterMs?: number; hint: string };
}

/** Calls a tool and returns its JSON payload; every result must be one valid JSON text without `info`. */
async function call<T = Record<string, unknown>>(
  client: Client,
  name: string,
  args: Record<string, unknown> = {},
): Promise<{ isError: boolean; json: T }> {
  const result = await client.callTool({ name, arguments: args });
  const content = result.content as { type: string; text: string }[];
  expect(content).toHaveLength(1);
  expect(content[0]!.type).toBe('text');
  const text = content[0]!.text;
  expect(text).not.toMatch(/"info":/);
  return { isError: result.isError === true, json: JSON.parse(text) as T };
}

async function callError(client: Client, name: string, args: Record<string, unknown>) {
  const { isError, json } = await call<ToolError>(client, name, args);
  expect(isError).toBe(true);
  return json.error;
}

/** The checks both transports must pass: the same tools, results, caps and errors. */
function toolSuite(connect: () => Promise<Client>, exchangeCount: number) {
  let client: Client;
  beforeAll(async () => {
    client = await connect();
  });
  afterAll(() => client.close());

  it('tools/list: the seven tools, each input field described', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([...EXPECTED_TOOLS].sort());
    for (const tool of tools) {
      expect(tool.description?.length, tool.name).toBeGreaterThan(30);
      expect(tool.inputSchema.type).toBe('object');
      for (const [field, schema] of Object.entries(tool.inputSchema.properties ?? {})) {
        expect((schema as { description?: string }).description, `${tool.name}.${field}`).toBeTruthy();
      }
    }
    const ticker = tools.find((t) => t.name === 'get_ticker')!;
    expect(ticker.inputSchema.required).toEqual(['exchange', 'symbol']);
  });

  it('list_exchanges: compact list, then one exchange in detail', async () => {
    const all = await call<{ count: number; exchanges: { id: string; capabilities: string[] }[] }>(
      client,
      'list_exchanges',
    );
    expect(all.isError).toBe(false);
    expect(all.json.count).toBe(exchangeCount);
    expect(all.json.exchanges.find((e) => e.id === 'sim')?.capabilities).toContain('ohlcv');
    const sim = await call<{ id: string; timeframes: string[] }>(client, 'list_exchanges', {
      exchange: 'sim',
    });
    expect(sim.json.timeframes).toContain('1h');
    const filtered = await call<{ exchanges: { id: string }[] }>(client, 'list_exchanges', { search: 'sim' });
    expect(filtered.json.exchanges.map((e) => e.id)).toContain('sim');
  });

  it('search_markets: finds symbols, caps to limit with a notice', async () => {
    const found = await call<{ markets: { symbol: string }[]; total: number; truncated: boolean }>(
      client,
      'search_markets',
      { exchange: 'sim', query: 'BTC' },
    );
    expect(found.json.markets.map((m) => m.symbol)).toContain('BTC/USDT');
    expect(found.json.truncated).toBe(false);
    const capped = await call<{ count: number; total: number; truncated: boolean; notice: string }>(
      client,
      'search_markets',
      { exchange: 'sim', limit: 2 },
    );
    expect(capped.json.count).toBe(2);
    expect(capped.json.total).toBeGreaterThan(2);
    expect(capped.json.truncated).toBe(true);
    expect(capped.json.notice).toMatch(/Showing 2 of/);
  });

  it('get_ticker accepts BTC-USDT', async () => {
    const { isError, json } = await call<{ symbol: string; source: string; last: number }>(
      client,
      'get_ticker',
      {
        exchange: 'sim',
        symbol: 'BTC-USDT',
      },
    );
    expect(isError).toBe(false);
    expect(json).toMatchObject({ symbol: 'BTC/USDT', source: 'simulated', last: expect.any(Number) });
  });

  it(`get_tickers answers at most ${CAPS.tickers} symbols, with a notice`, async () => {
    const small = await call<{ count: number; truncated: boolean }>(client, 'get_tickers', {
      exchange: 'sim',
      symbols: ['BTC/USDT', 'ETH/USDT'],
    });
    expect(small.json).toMatchObject({ count: 2, truncated: false });
    const markets = await call<{ markets: { symbol: string }[] }>(client, 'search_markets', {
      exchange: 'sim',
      limit: 500,
    });
    const symbols = Array.from(
      { length: 60 },
      (_, i) => markets.json.markets[i % markets.json.markets.length]!.symbol,
    );
    const big = await call<{ count: number; truncated: boolean; notice: string }>(client, 'get_tickers', {
      exchange: 'sim',
      symbols,
    });
    expect(big.json.count).toBeLessThanOrEqual(CAPS.tickers);
    expect(big.json.truncated).toBe(true);
    expect(big.json.notice).toContain(`first ${CAPS.tickers} of 60`);
  });

  it(`get_ohlcv: rows with columns, capped at ${CAPS.candles} candles`, async () => {
    const since = Date.UTC(2025, 0, 1);
    const few = await call<{ columns: string[]; candles: number[][]; truncated: boolean }>(
      client,
      'get_ohlcv',
      {
        exchange: 'sim',
        symbol: 'ETH/USDT',
        timeframe: '1h',
        since: '2025-01-01T00:00:00Z',
        limit: 3,
      },
    );
    expect(few.json.columns).toEqual(['time', 'open', 'high', 'low', 'close', 'volume']);
    expect(few.json.candles.map((c) => c[0])).toEqual([since, since + 3_600_000, since + 7_200_000]);
    expect(few.json.truncated).toBe(false);
    const many = await call<{ count: number; truncated: boolean; notice: string }>(client, 'get_ohlcv', {
      exchange: 'sim',
      symbol: 'BTC/USDT',
      timeframe: '1m',
      since,
      limit: 2000,
    });
    expect(many.json.count).toBe(CAPS.candles);
    expect(many.json.truncated).toBe(true);
    expect(many.json.notice).toMatch(/Capped at 500 candles \(asked for 2000\).*since=/);
  });

  it(`get_order_book: capped at ${CAPS.levels} levels a side`, async () => {
    const book = await call<{ bids: unknown[]; asks: unknown[]; truncated: boolean; notice: string }>(
      client,
      'get_order_book',
      { exchange: 'sim', symbol: 'BTC/USDT', depth: 300 },
    );
    expect(book.json.bids).toHaveLength(CAPS.levels);
    expect(book.json.asks).toHaveLength(CAPS.levels);
    expect(book.json.truncated).toBe(true);
    const small = await call<{ bids: unknown[]; truncated: boolean }>(client, 'get_order_book', {
      exchange: 'sim',
      symbol: 'BTC/USDT',
    });
    expect(small.json.bids).toHaveLength(20);
    expect(small.json.truncated).toBe(false);
  });

  it(`get_trades: capped at ${CAPS.trades}`, async () => {
    const trades = await call<{ count: number; trades: { price: number }[]; truncated: boolean }>(
      client,
      'get_trades',
      { exchange: 'sim', symbol: 'BTC/USDT', limit: 1000 },
    );
    expect(trades.json.count).toBe(CAPS.trades);
    expect(trades.json.trades).toHaveLength(CAPS.trades);
    expect(trades.json.truncated).toBe(true);
    const few = await call<{ count: number }>(client, 'get_trades', {
      exchange: 'sim',
      symbol: 'BTC/USDT',
      limit: 5,
    });
    expect(few.json.count).toBe(5);
  });

  it('errors are isError results with a reason and a hint', async () => {
    const exchange = await callError(client, 'get_ticker', {
      exchange: 'nosuchexchange',
      symbol: 'BTC/USDT',
    });
    expect(exchange).toMatchObject({ reason: 'UNKNOWN_EXCHANGE', retryable: false });
    expect(exchange.hint).toContain('list_exchanges');
    const symbol = await callError(client, 'get_ohlcv', { exchange: 'sim', symbol: 'NOPE/USDT' });
    expect(symbol.reason).toBe('UNKNOWN_SYMBOL');
    expect(symbol.hint).toContain('search_markets');
    const input = await callError(client, 'get_order_book', { exchange: 'sim', depth: 0 });
    expect(input.reason).toBe('INVALID_INPUT');
    expect(input.message).toMatch(/symbol/);
    expect(input.message).toMatch(/depth/);
    const timeframe = await callError(client, 'get_ohlcv', {
      exchange: 'sim',
      symbol: 'BTC/USDT',
      timeframe: '7m',
    });
    expect(timeframe.reason).toBe('NOT_SUPPORTED');
    expect(timeframe.hint).toContain('list_exchanges');
    const tool = await callError(client, 'get_weather', {});
    expect(tool.reason).toBe('INVALID_INPUT');
    expect(tool.message).toContain('get_ticker');
  });
}

describe('MCP over Streamable HTTP (/mcp)', () => {
  let t: TestServer;
  const failures: Record<string, () => unknown> = {
    okx: () => new ccxt.ExchangeNotAvailable('okx down https://www.okx.com/?apiKey=secret'),
    bitget: () => new TypeError('boom in a parser'),
  };
  beforeAll(async () => {
    t = await startTestServer({ MCP_RETRY_ATTEMPTS: '0' }, (id) => {
      const error = failures[id];
      return error ? failingSource(id, error) : undefined;
    });
  });
  afterAll(() => t.close());

  const connect = async () => {
    const client = new Client({ name: 'marketgate-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${t.url}/mcp`)));
    return client;
  };
  toolSuite(connect, ccxt.exchanges.length + 1);

  it('upstream failures: reason, retryable and no upstream URL; INTERNAL stays generic', async () => {
    const client = await connect();
    try {
      const down = await callError(client, 'get_ticker', { exchange: 'okx', symbol: 'BTC/USDT' });
      expect(down).toMatchObject({ reason: 'UPSTREAM_UNAVAILABLE', retryable: true });
      expect(JSON.stringify(down)).not.toMatch(/apiKey|secret|okx\.com/);
      const bug = await callError(client, 'get_trades', { exchange: 'bitget', symbol: 'BTC/USDT' });
      expect(bug).toMatchObject({ reason: 'INTERNAL', message: 'Internal error' });
    } finally {
      await client.close();
    }
  });

  it('GET and DELETE /mcp are 405 (stateless endpoint); a foreign Origin is refused', async () => {
    expect((await fetch(`${t.url}/mcp`)).status).toBe(405);
    expect((await fetch(`${t.url}/mcp`, { method: 'DELETE' })).status).toBe(405);
    const foreign = await fetch(`${t.url}/mcp`, {
      method: 'POST',
      headers: {
        origin: 'https://evil.example',
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(foreign.status).toBe(403);
  });
});

describe('MCP over HTTP spends the client rate-limit budget', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ MCP_RATE_LIMIT_REQUESTS: '2' });
  });
  afterAll(() => t.close());

  it('the third tool call is RATE_LIMITED with retryAfterMs', async () => {
    const client = new Client({ name: 'marketgate-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${t.url}/mcp`)));
    try {
      expect((await call(client, 'get_ticker', { exchange: 'sim', symbol: 'BTC/USDT' })).isError).toBe(false);
      expect((await call(client, 'get_ticker', { exchange: 'sim', symbol: 'BTC/USDT' })).isError).toBe(false);
      const limited = await callError(client, 'get_ticker', { exchange: 'sim', symbol: 'BTC/USDT' });
      expect(limited).toMatchObject({ reason: 'RATE_LIMITED', retryable: true });
      expect(limited.retryAfterMs).toBeGreaterThan(0);
    } finally {
      await client.close();
    }
  });
});

const STDIO_ENV = { MCP_LOG_LEVEL: 'info', MCP_EXCHANGES: 'sim,binance' };

describe('MCP over stdio (pnpm mcp)', () => {
  toolSuite(async () => {
    const client = new Client({ name: 'marketgate-test', version: '1.0.0' });
    const env = { ...(process.env as Record<string, string>), ...STDIO_ENV, MCP_LOG_LEVEL: 'warn' };
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: ['--import', 'tsx', 'src/mcp-stdio.ts'],
        cwd: serverDir,
        env,
        stderr: 'ignore',
      }),
    );
    return client;
  }, 2);

  it('stdout carries JSON-RPC only; logs go to stderr', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/mcp-stdio.ts'], {
      cwd: serverDir,
      env: { ...process.env, ...STDIO_ENV },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const lines: string[] = [];
    const responses = new Promise<void>((resolve) => {
      createInterface({ input: child.stdout }).on('line', (line) => {
        lines.push(line);
        if (lines.length === 2) resolve();
      });
    });
    const send = (message: object) => child.stdin.write(`${JSON.stringify(message)}\n`);
    send({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    });
    send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    send({
      jsonrpc: '2.0',
      id: 2,
      method: 'tools/call',
      params: { name: 'get_ticker', arguments: { exchange: 'sim', symbol: 'BTC/USDT' } },
    });
    await responses;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.stdin.end();
    await exited;
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ jsonrpc: '2.0' });
    expect(stderr).toContain('Marketgate MCP server on stdio');
  });
});

// `pnpm test` builds first; a bare `vitest run` without a build skips this one
describe.skipIf(!existsSync(builtStdio))('`pnpm --silent mcp` at the repo root (built dist)', () => {
  it('speaks MCP on stdout', async () => {
    const client = new Client({ name: 'marketgate-test', version: '1.0.0' });
    await client.connect(
      new StdioClientTransport({
        command: 'pnpm',
        args: ['--silent', 'mcp'],
        cwd: repoRoot,
        env: { ...(process.env as Record<string, string>), ...STDIO_ENV },
        stderr: 'ignore',
      }),
    );
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual([...EXPECTED_TOOLS].sort());
      const { json } = await call<{ symbol: string }>(client, 'get_ticker', {
        exchange: 'sim',
        symbol: 'ETH-USDT',
      });
      expect(json.symbol).toBe('ETH/USDT');
    } finally {
      await client.close();
    }
  });
});

describe('README', () => {
  it('lists exactly the registered MCP tools between the mcp-tools markers', () => {
    const readme = readFileSync(readmePath, 'utf8');
    const block = /<!-- mcp-tools:start -->([\s\S]*?)<!-- mcp-tools:end -->/.exec(readme)?.[1];
    expect(block, 'README.md needs a <!-- mcp-tools:start --> … <!-- mcp-tools:end --> block').toBeDefined();
    const listed = [...block!.matchAll(/^\s*[-*|]\s*`([a-z_]+)`/gm)].map((m) => m[1]);
    expect([...listed].sort()).toEqual([...TOOL_NAMES].sort());
    expect([...TOOL_NAMES].sort()).toEqual([...EXPECTED_TOOLS].sort());
  });
});
