import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Metrics } from '../metrics.js';
import type { AppDeps } from '../trpc.js';
import { createMcpServer } from './server.js';

export interface McpHttpOptions {
  deps: AppDeps;
  metrics: Metrics;
}

function rpcError(reply: FastifyReply, status: number, code: number, message: string) {
  return reply.code(status).send({ jsonrpc: '2.0', error: { code, message }, id: null });
}

/**
 * A browser page on another site must not drive a local server (DNS rebinding): requests that carry
 * an Origin are accepted only from the server's own origin or MCP_CORS_ORIGINS. Agents send none.
 */
function originAllowed(req: FastifyRequest, allowed: readonly string[] | undefined): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  if (allowed?.includes(origin)) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

/**
 * MCP over Streamable HTTP at /mcp, stateless: every POST gets a fresh server and transport, so
 * any instance behind a load balancer can answer any request and nothing outlives the request.
 * Tool calls spend the caller's rate-limit budget like tRPC and REST calls do.
 */
export function registerMcpHttp(app: FastifyInstance, { deps, metrics }: McpHttpOptions): void {
  app.post('/mcp', async (req, reply) => {
    if (!originAllowed(req, deps.config.corsOrigins)) {
      return rpcError(reply, 403, -32000, 'Origin not allowed');
    }
    const server = createMcpServer({
      service: deps.service,
      version: deps.version,
      log: deps.log,
      metrics,
      limit: () => deps.limiter.consume(req.ip),
    });
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    reply.hijack();
    reply.raw.on('close', () => {
      void transport.close();
      void server.close();
    });
    try {
      await server.connect(transport);
      await transport.handleRequest(req.raw, reply.raw, req.body);
    } catch (error) {
      req.log.error({ err: error }, 'MCP request failed');
      if (!reply.raw.headersSent) {
        reply.raw.writeHead(500, { 'Content-Type': 'application/json' });
        reply.raw.end(
          JSON.stringify({ jsonrpc: '2.0', error: { code: -32603, message: 'Internal error' }, id: null }),
        );
      }
    }
  });

  // stateless: no server-initiated stream to open and no session to end
  const notAllowed = (_req: FastifyRequest, reply: FastifyReply) =>
    rpcError(
      reply.header('Allow', 'POST'),
      405,
      -32000,
      'Method not allowed: this MCP endpoint is stateless, use POST',
    );
  app.get('/mcp', notAllowed);
  app.delete('/mcp', notAllowed);
}
