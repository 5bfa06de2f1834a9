import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** Paths the dashboard never answers: the API surfaces keep their own 404s. */
const API_PATHS = ['/trpc', '/api', '/mcp', '/metrics', '/docs', '/openapi.json', '/healthz', '/readyz'];

/** Vite's content-hashed output: safe to cache for a year. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/** apps/web/dist, seen from src/static.ts (tsx) and dist/static.js (built) alike. */
export function defaultWebRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'web', 'dist');
}

export function isApiPath(path: string): boolean {
  return API_PATHS.some((p) => path === p || path.startsWith(`${p}/`));
}

export function cacheControlFor(filePath: string): string {
  if (filePath.endsWith('.html')) return 'no-cache';
  return filePath.includes(`${sep}assets${sep}`) ? IMMUTABLE : 'public, max-age=3600';
}

/**
 * Serves the built dashboard at `/`: hashed assets with long cache headers, index.html never
 * cached, and index.html for any other GET that is not an API path (the app routes in the browser).
 */
export function registerStatic(app: FastifyInstance, options: { root?: string } = {}): void {
  const root = options.root ?? defaultWebRoot();
  const indexFile = join(root, 'index.html');
  const built = existsSync(indexFile);

  if (built) {
    void app.register(fastifyStatic, {
      root,
      prefix: '/',
      // one route per built file: nothing shadows the API's own not-found answers
      wildcard: false,
      decorateReply: false,
      cacheControl: false,
      setHeaders(reply, filePath) {
        void reply.header('Cache-Control', cacheControlFor(filePath));
      },
    });
  }

  app.setNotFoundHandler(async (req, reply) => {
    const path = req.url.split('?')[0] ?? '/';
    const lastSegment = path.slice(path.lastIndexOf('/') + 1);
    const pageRequest =
      (req.method === 'GET' || req.method === 'HEAD') &&
      !isApiPath(path) &&
      !path.startsWith('/assets/') &&
      !lastSegment.includes('.');
    if (!pageRequest) {
      return reply.code(404).send({
        message: `No route ${req.method} ${path}`,
        code: 'NOT_FOUND',
        reason: 'INVALID_INPUT',
        retryable: false,
      });
    }
    if (!built) {
      return reply
        .code(404)
        .type('text/plain; charset=utf-8')
        .send('The dashboard is not built. Run `pnpm start` (or `pnpm --filter @marketgate/web build`).\n');
    }
    const html = await readFile(indexFile, 'utf8');
    return reply.code(200).header('Cache-Control', 'no-cache').type('text/html; charset=utf-8').send(html);
  });
}
