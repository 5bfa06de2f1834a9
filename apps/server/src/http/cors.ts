import cors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';

/**
 * MCP_CORS_ORIGINS: browsers on these origins may call the API. Unset means same origin only
 * (no CORS headers at all), which is all the bundled dashboard needs.
 */
export function registerCors(app: FastifyInstance, origins: readonly string[] | undefined): void {
  if (!origins || origins.length === 0) return;
  const allowed = new Set(origins.map((o) => o.replace(/\/+$/, '')));
  void app.register(cors, {
    origin: (origin, cb) => cb(null, origin !== undefined && (allowed.has('*') || allowed.has(origin))),
    methods: ['GET', 'POST', 'OPTIONS'],
    exposedHeaders: ['Retry-After', 'X-Request-Id'],
    maxAge: 600,
  });
}
