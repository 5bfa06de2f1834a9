import { afterEach, describe, expect, it, vi } from 'vitest';
import { startTestServer } from './helpers/server.js';
import type { TestServer } from './helpers/server.js';

const tickerPath = `/trpc/market.ticker?input=${encodeURIComponent(JSON.stringify({ exchange: 'sim', symbol: 'BTC/USDT' }))}`;

describe('response cache in front of tRPC', () => {
  let t: TestServer | undefined;
  afterEach(() => t?.close());

  it('answers an identical GET with the same bytes tRPC produced', async () => {
    t = await startTestServer();
    const first = await fetch(t.url + tickerPath);
    const firstBody = await first.text();
    expect(first.headers.get('x-response-cache')).toBeNull();
    const second = await fetch(t.url + tickerPath);
    expect(second.headers.get('x-response-cache')).toBe('hit');
    expect(second.headers.get('content-type')).toBe(first.headers.get('content-type'));
    expect(await second.text()).toBe(firstBody);
    // and it still logs one line per request, with the same fields as any other
    await fetch(t.url + tickerPath, { headers: { 'x-request-id': 'replayed-1' } });
    // replayed answers' lines are written once per event-loop turn
    const requestLines = () =>
      t!.logLines.filter((l) => l.msg === 'request' && l.procedure === 'market.ticker');
    await vi.waitFor(() => expect(requestLines()).toHaveLength(3));
    const lines = requestLines();
    expect(lines[2]).toMatchObject({
      level: 30,
      pid: process.pid,
      reqId: 'replayed-1',
      method: 'GET',
      path: '/trpc/market.ticker',
      status: 200,
      outcome: 'ok',
      responseCache: true,
      durationMs: expect.any(Number),
    });
    expect(Object.keys(lines[2]!).sort()).toEqual([...Object.keys(lines[0]!), 'responseCache'].sort());
  });

  it('still applies the per-client rate limit, answering with the contract error', async () => {
    t = await startTestServer({ MCP_RATE_LIMIT_REQUESTS: '2' });
    expect((await fetch(t.url + tickerPath)).status).toBe(200);
    expect((await fetch(t.url + tickerPath)).headers.get('x-response-cache')).toBe('hit');
    const limited = await fetch(t.url + tickerPath);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).not.toBeNull();
    expect(await limited.json()).toMatchObject({ error: { data: { reason: 'RATE_LIMITED' } } });
  });

  it('never keeps errors, system procedures or streamed batches', async () => {
    t = await startTestServer();
    const bad = `/trpc/market.ticker?input=${encodeURIComponent(JSON.stringify({ exchange: 'sim', symbol: 'NOPE/USDT' }))}`;
    await fetch(t.url + bad);
    expect((await fetch(t.url + bad)).headers.get('x-response-cache')).toBeNull();
    await fetch(`${t.url}/trpc/system.health`);
    expect((await fetch(`${t.url}/trpc/system.health`)).headers.get('x-response-cache')).toBeNull();
    await fetch(t.url + tickerPath, { headers: { 'trpc-accept': 'application/jsonl' } });
    expect(
      (await fetch(t.url + tickerPath, { headers: { 'trpc-accept': 'application/jsonl' } })).headers.get(
        'x-response-cache',
      ),
    ).toBeNull();
  });

  it('lets an answer go when its data leaves the ticker TTL', async () => {
    t = await startTestServer({ MCP_TICKER_CACHE_TTL: '0.2' });
    await fetch(t.url + tickerPath);
    const deadline = Date.now() + 5_000;
    let header: string | null = 'hit';
    // poll until the stored answer expires (bounded); a stale answer would keep saying hit forever
    while (header === 'hit' && Date.now() < deadline) {
      header = (await fetch(t.url + tickerPath)).headers.get('x-response-cache');
      await new Promise((r) => setImmediate(r));
    }
    expect(header).toBeNull();
  });
});

describe('CORS (MCP_CORS_ORIGINS)', () => {
  let t: TestServer | undefined;
  afterEach(() => t?.close());

  it('sends no CORS headers by default (same origin only)', async () => {
    t = await startTestServer();
    const res = await fetch(t.url + tickerPath, { headers: { origin: 'https://elsewhere.example' } });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('allows the listed origins, also for answers the response cache would replay', async () => {
    t = await startTestServer({ MCP_CORS_ORIGINS: 'https://app.example' });
    for (let i = 0; i < 2; i++) {
      const res = await fetch(t.url + tickerPath, { headers: { origin: 'https://app.example' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example');
    }
    const other = await fetch(t.url + tickerPath, { headers: { origin: 'https://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(t.url + tickerPath, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'GET' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app.example');
  });
});
