import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileErrors, validate } from '@readme/openapi-parser';
import { appRouter } from '../src/router/index.js';
import { restProcedures } from '../src/rest/index.js';
import { startTestServer } from './helpers/server.js';
import type { TestServer } from './helpers/server.js';

/** The REST paths of DESIGN.md's public contract. */
const DESIGN_PATHS = [
  'GET /api/health',
  'GET /api/exchanges',
  'GET /api/exchanges/{exchange}/markets',
  'GET /api/ticker/{exchange}/{symbol}',
  'GET /api/tickers/{exchange}',
  'GET /api/ohlcv/{exchange}/{symbol}',
  'GET /api/orderbook/{exchange}/{symbol}',
  'GET /api/trades/{exchange}/{symbol}',
];

interface Operation {
  operationId: string;
  parameters?: { name: string; in: string; required?: boolean; style?: string; explode?: boolean }[];
  responses: Record<
    string,
    { headers?: Record<string, unknown>; content?: Record<string, { schema: unknown }> }
  >;
}
interface Document {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, unknown> };
}

describe('OpenAPI document and /docs', () => {
  let t: TestServer;
  let doc: Document;
  beforeAll(async () => {
    t = await startTestServer();
    const res = await fetch(`${t.url}/openapi.json`);
    expect(res.status).toBe(200);
    doc = (await res.json()) as Document;
  });
  afterAll(() => t.close());

  it('validates as OpenAPI 3.1 with @readme/openapi-parser', async () => {
    expect(doc.openapi).toBe('3.1.0');
    const result = await validate(structuredClone(doc) as never);
    if (!result.valid) throw new Error(compileErrors(result));
    expect(result.valid).toBe(true);
  });

  it("its paths equal the router's REST procedures, and DESIGN.md's list", () => {
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const fromRouter = restProcedures(appRouter).map((p) => `${p.method} ${p.path}`);
    expect(documented.sort()).toEqual(fromRouter.sort());
    expect(documented.sort()).toEqual([...DESIGN_PATHS].sort());
    const operationIds = Object.values(doc.paths).flatMap((ops) =>
      Object.values(ops).map((o) => o.operationId),
    );
    expect(operationIds.sort()).toEqual(
      restProcedures(appRouter)
        .map((p) => p.name)
        .sort(),
    );
  });

  it('documents path and query parameters, comma lists, errors and Retry-After', () => {
    const ticker = doc.paths['/api/ticker/{exchange}/{symbol}']!.get!;
    expect(ticker.parameters?.filter((p) => p.in === 'path').map((p) => p.name)).toEqual([
      'exchange',
      'symbol',
    ]);
    const ohlcv = doc.paths['/api/ohlcv/{exchange}/{symbol}']!.get!;
    expect(
      ohlcv.parameters
        ?.filter((p) => p.in === 'query')
        .map((p) => p.name)
        .sort(),
    ).toEqual(['limit', 'since', 'timeframe', 'until']);
    const symbols = doc.paths['/api/tickers/{exchange}']!.get!.parameters!.find((p) => p.name === 'symbols')!;
    expect(symbols).toMatchObject({ in: 'query', required: true, style: 'form', explode: false });
    for (const status of ['400', '404', '429', '500', '502', '503', '504']) {
      expect(ticker.responses[status]?.content?.['application/json']?.schema).toEqual({
        $ref: '#/components/schemas/Error',
      });
    }
    expect(ticker.responses['200']!.content!['application/json']!.schema).toEqual({
      $ref: '#/components/schemas/Ticker',
    });
    expect(ticker.responses['429']!.headers).toHaveProperty('Retry-After');
    expect(ticker.responses['503']!.headers).toHaveProperty('Retry-After');
    expect(doc.components?.schemas?.Error).toMatchObject({
      required: expect.arrayContaining(['message', 'code', 'reason']),
    });
  });

  it('/docs is served entirely by this server (works offline)', async () => {
    const res = await fetch(`${t.url}/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    const html = await res.text();
    expect(html).not.toMatch(/https?:\/\//);
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(assets.length).toBeGreaterThanOrEqual(4);
    for (const asset of assets) {
      expect(asset.startsWith('/docs/assets/')).toBe(true);
      const r = await fetch(`${t.url}${asset}`);
      expect(r.status, asset).toBe(200);
      const body = await r.text();
      expect(body.length, asset).toBeGreaterThan(0);
      if (asset.endsWith('init.js')) {
        expect(body).toContain("url: '/openapi.json'");
        expect(body).toContain('validatorUrl: null');
      }
    }
  });
});
