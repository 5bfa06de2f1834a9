import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheControlFor, isApiPath, registerStatic } from '../src/static.js';

/** The dashboard's serving rules, against a fake build in a temp dir. */
describe('static dashboard', () => {
  let dir: string;
  let app: FastifyInstance;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'marketgate-web-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><div id="root"></div>');
    writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
    writeFileSync(join(dir, 'favicon.svg'), '<svg/>');
    app = Fastify();
    app.get('/healthz', () => ({ status: 'ok' }));
    app.get('/api/health', () => ({ status: 'ok' }));
    registerStatic(app, { root: dir });
    await app.ready();
  });

  afterAll(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves index.html at / without caching', async () => {
    const res = await app.inject({ url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.body).toContain('id="root"');
  });

  it('caches hashed assets for a year, other files for an hour', async () => {
    const asset = await app.inject({ url: '/assets/index-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const icon = await app.inject({ url: '/favicon.svg' });
    expect(icon.headers['cache-control']).toBe('public, max-age=3600');
  });

  it('answers app routes with index.html (the browser routes them)', async () => {
    for (const url of ['/symbol?exchange=sim&symbol=BTC/USDT', '/compare', '/status', '/deep/link']) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.body).toContain('id="root"');
    }
    expect((await app.inject({ method: 'HEAD', url: '/status' })).statusCode).toBe(200);
  });

  it('never answers API paths, missing assets or other methods with the page', async () => {
    for (const url of [
      '/api/nope',
      '/trpc/nope',
      '/mcp/x',
      '/metrics/x',
      '/docs/x',
      '/assets/gone-123.js',
      '/x.png',
    ]) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type'], url).toMatch(/^application\/json/);
    }
    expect((await app.inject({ method: 'POST', url: '/status' })).statusCode).toBe(404);
    expect((await app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
  });

  it('classifies paths and files', () => {
    expect(isApiPath('/trpc')).toBe(true);
    expect(isApiPath('/trpc/market.ticker')).toBe(true);
    expect(isApiPath('/openapi.json')).toBe(true);
    expect(isApiPath('/apis')).toBe(false);
    expect(isApiPath('/status')).toBe(false);
    expect(cacheControlFor('/x/dist/index.html')).toBe('no-cache');
    expect(cacheControlFor('/x/dist/assets/a-1.css')).toBe('public, max-age=31536000, immutable');
  });
});

describe('static dashboard, not built', () => {
  it('says how to build it instead of a blank page', async () => {
    const app = Fastify();
    registerStatic(app, { root: join(tmpdir(), 'marketgate-web-missing-dir') });
    const res = await app.inject({ url: '/' });
    expect(res.statusCode).toBe(404);
    expect(res.body).toContain('pnpm start');
    await app.close();
  });
});
