import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AnyRouter } from '@trpc/server';
import { getErrorShape, getTRPCErrorFromUnknown } from '@trpc/server/unstable-core-do-not-import';
import { REASON_STATUS } from '@marketgate/market-core';
import type { ErrorReason } from '@marketgate/market-core';
import type { Metrics } from '../metrics.js';
import type { Context, ErrorData } from '../trpc.js';
import { registerDocs } from './docs.js';
import { openApiDocument } from './openapi.js';
import { restInput, restProcedures } from './procedures.js';
import type { RestProcedure } from './procedures.js';

export { restProcedures } from './procedures.js';
export type { RestProcedure } from './procedures.js';
export { openApiDocument } from './openapi.js';

/** Retry-After for a 503 when the exchange gave no hint (an unreachable exchange). */
const DEFAULT_UNAVAILABLE_RETRY_S = 5;

export interface RestOptions {
  router: AnyRouter;
  /** The same context tRPC calls get: the shared service, limiter and client address. */
  createContext: (opts: { req: FastifyRequest }) => Context;
  metrics: Metrics;
  version: string;
}

/**
 * REST under /api, /openapi.json and /docs. Each route calls the router's own procedure through a
 * server-side caller, so input validation, the per-client rate limit, caching and error mapping are
 * those of tRPC; only the wire format differs: inputs from path and query, errors as
 * `{ message, code, reason, retryable, retryAfterMs? }` with the contract's HTTP status.
 */
export function registerRest(app: FastifyInstance, options: RestOptions): void {
  const { router, metrics } = options;
  const procedures = restProcedures(router);
  const document = openApiDocument(procedures, options.version);
  const call = (ctx: Context, name: string, input: unknown): Promise<unknown> => {
    let target: unknown = router.createCaller(ctx);
    for (const segment of name.split('.')) target = (target as Record<string, unknown>)[segment];
    return (target as (input: unknown) => Promise<unknown>)(input);
  };

  app.get('/openapi.json', (_req, reply) => reply.header('Cache-Control', 'no-cache').send(document));
  registerDocs(app);

  void app.register(
    (api, _opts, done) => {
      for (const procedure of procedures) {
        api.get(toFastifyPath(procedure.path.slice('/api'.length)), (req, reply) =>
          handle(procedure, req, reply),
        );
      }
      api.setNotFoundHandler((req, reply) =>
        reply.code(404).send({
          message: `No REST route ${req.method} ${req.url.split('?')[0] ?? ''}; the routes are listed at /openapi.json`,
          code: 'NOT_FOUND',
          reason: 'INVALID_INPUT',
          retryable: false,
        }),
      );
      done();
    },
    { prefix: '/api' },
  );

  async function handle(procedure: RestProcedure, req: FastifyRequest, reply: FastifyReply) {
    const started = performance.now();
    const ctx = options.createContext({ req });
    const input = restInput(
      procedure,
      req.params as Record<string, string>,
      req.query as Record<string, string | string[] | undefined>,
    );
    try {
      const data = await call(ctx, procedure.name, input);
      metrics.observeRequest(procedure.name, 'rest', 'ok', (performance.now() - started) / 1000);
      return await reply.send(data);
    } catch (cause) {
      const error = getTRPCErrorFromUnknown(cause);
      const shape = getErrorShape({
        config: router._def._config,
        error,
        type: 'query',
        path: procedure.name,
        input,
        ctx,
      }) as { message: string; data: Partial<ErrorData> };
      const reason: ErrorReason = shape.data.reason ?? 'INTERNAL';
      metrics.observeRequest(procedure.name, 'rest', reason, (performance.now() - started) / 1000);
      if (reason === 'INTERNAL') {
        ctx.log.error({ err: error.cause ?? error, path: procedure.name, reqId: req.id }, 'internal error');
      }
      const { http, code } = REASON_STATUS[reason];
      const retryAfterMs = shape.data.retryAfterMs;
      if (http === 429 || http === 503) {
        const seconds =
          retryAfterMs === undefined ? DEFAULT_UNAVAILABLE_RETRY_S : Math.ceil(retryAfterMs / 1000);
        void reply.header('Retry-After', String(Math.max(1, seconds)));
      }
      return await reply.code(http).send({
        message: shape.message,
        code,
        reason,
        retryable: shape.data.retryable ?? false,
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      });
    }
  }
}

/** "/ticker/{exchange}/{symbol}" → "/ticker/:exchange/:symbol" */
function toFastifyPath(path: string): string {
  return path.replace(/\{(\w+)\}/g, ':$1');
}
