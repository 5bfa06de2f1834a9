import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFrom, createServer } from '@marketgate/server';
import { createMarketClient, marketErrorOf, reconnectDelay } from '../src/index.js';

describe('createMarketClient against a real server', () => {
  let server: ReturnType<typeof createServer>;
  let url: string;
  const requests: string[] = [];

  beforeAll(async () => {
    server = createServer({ config: configFrom({ MCP_PORT: '0', MCP_LOG_LEVEL: 'silent' }) });
    server.app.addHook('onRequest', (req, _reply, done) => {
      requests.push(req.url);
      done();
    });
    url = await server.listen();
  });
  afterAll(() => server.close());

  it('batches calls made in the same tick into one HTTP request', async () => {
    const client = createMarketClient({ url });
    requests.length = 0;
    const [ticker, book, health] = await Promise.all([
      client.market.ticker.query({ exchange: 'sim', symbol: 'BTC/USDT' }),
      client.market.orderBook.query({ exchange: 'sim', symbol: 'BTC/USDT', depth: 3 }),
      client.system.health.query(),
    ]);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatch(/^\/trpc\/market\.ticker,market\.orderBook,system\.health\?batch=1/);
    expect(ticker.symbol).toBe('BTC/USDT');
    expect(book.asks).toHaveLength(3);
    expect(health.status).toBe('ok');
  });

  it('accepts the base URL with or without /trpc and a trailing slash', async () => {
    for (const base of [url, `${url}/`, `${url}/trpc`, `${url}/trpc/`]) {
      expect((await createMarketClient({ url: base }).system.health.query()).status).toBe('ok');
    }
  });

  it('exposes the contract error fields of a failed call', async () => {
    const client = createMarketClient({ url });
    const error = await client.market.ticker
      .query({ exchange: 'sim', symbol: 'NOPE/USDT' })
      .catch((e: unknown) => e);
    expect(marketErrorOf(error)).toMatchObject({
      reason: 'UNKNOWN_SYMBOL',
      retryable: false,
      httpStatus: 404,
    });
    expect(marketErrorOf(new Error('plain'))).toBeUndefined();
  });

  it.each(['ws', 'sse'] as const)('streams live tickers over %s and stops cleanly', async (transport) => {
    const client = createMarketClient({ url, transport });
    const received: number[] = [];
    await new Promise<void>((resolve, reject) => {
      const sub = client.stream.ticker.subscribe(
        { exchange: 'sim', symbol: 'ETH/USDT' },
        {
          onData: ({ data: event }) => {
            if (event.type !== 'ticker') return;
            received.push(event.ticker.timestamp ?? 0);
            if (received.length === 2) {
              sub.unsubscribe();
              resolve();
            }
          },
          onError: reject,
        },
      );
    });
    expect(received[1]!).toBeGreaterThan(received[0]!);
  });
});

describe('reconnectDelay', () => {
  it('backs off exponentially with jitter, capped at 30 s', () => {
    for (let attempt = 0; attempt < 12; attempt++) {
      const step = Math.min(30_000, 500 * 2 ** attempt);
      const delay = reconnectDelay(attempt);
      expect(delay).toBeGreaterThanOrEqual(step / 2);
      expect(delay).toBeLessThanOrEqual(step);
    }
  });
});
