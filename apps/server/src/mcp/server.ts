import { z } from 'zod';
// The low-level Server, not McpServer: McpServer answers invalid arguments with a plain-text
// protocol error, while this contract wants every error as JSON with a reason and a hint.
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { MarketError, describeIssues, toMarketError } from '@marketgate/market-core';
import type { ErrorReason, MarketService } from '@marketgate/market-core';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { TOOLS } from './tools.js';

export interface McpServerOptions {
  service: MarketService;
  version: string;
  log: Logger;
  /** Spends one request of the caller's budget (HTTP: per client address); throws RATE_LIMITED. */
  limit?: () => Promise<void>;
  metrics?: Metrics;
}

const INSTRUCTIONS =
  'Crypto market data from the exchanges ccxt supports. Start with list_exchanges or search_markets ' +
  'to find valid exchange ids and symbols, then get_ticker, get_tickers, get_ohlcv, get_order_book or ' +
  'get_trades. The exchange "sim" is simulated (synthetic prices), useful offline. Results are JSON; ' +
  'large results are capped and then carry truncated: true and a notice. Errors are JSON with a reason and a hint.';

/** JSON Schema of a tool's input, from its zod schema (what a client sees in tools/list). */
function inputJsonSchema(schema: z.ZodObject): Tool['inputSchema'] {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  delete json.$schema;
  return { ...json, type: 'object' };
}

function hintFor(reason: ErrorReason, args: Record<string, unknown>): string {
  const exchange = typeof args.exchange === 'string' ? args.exchange : undefined;
  switch (reason) {
    case 'INVALID_INPUT':
      return "Fix the arguments named in the message; the tool's input schema lists what each accepts.";
    case 'UNKNOWN_EXCHANGE':
      return 'Use list_exchanges to see the valid exchange ids ("sim" is the offline simulated exchange).';
    case 'UNKNOWN_SYMBOL':
      return `Use search_markets${exchange ? ` with exchange "${exchange}"` : ''} to find the symbol, e.g. query "BTC".`;
    case 'NOT_SUPPORTED':
      return `Use list_exchanges${exchange ? ` with exchange "${exchange}"` : ''} to see what it supports (capabilities, timeframes), or pick another exchange.`;
    case 'RATE_LIMITED':
      return 'Too many requests from this client: wait retryAfterMs, then retry.';
    case 'UPSTREAM_RATE_LIMITED':
      return 'The exchange is throttling this server: wait retryAfterMs (or a few seconds), then retry, or use another exchange.';
    case 'UPSTREAM_UNAVAILABLE':
      return 'The exchange is unreachable or in maintenance: retry later or use another exchange.';
    case 'UPSTREAM_TIMEOUT':
      return 'The exchange did not answer in time: retry, or ask for less data (smaller limit or depth).';
    case 'UPSTREAM_ERROR':
      return 'The exchange rejected the request: check the symbol and arguments, or use another exchange.';
    case 'INTERNAL':
      return 'A server error, not caused by the arguments: retry once, then report it.';
  }
}

function errorResult(error: MarketError, args: Record<string, unknown>): CallToolResult {
  const body = {
    error: {
      reason: error.reason,
      message: error.reason === 'INTERNAL' ? 'Internal error' : error.message,
      retryable: error.retryable,
      ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
      hint: hintFor(error.reason, args),
    },
  };
  return { isError: true, content: [{ type: 'text', text: JSON.stringify(body) }] };
}

/** JSON text of a result, without ccxt's raw `info` payloads wherever they might appear. */
export function toJsonText(value: unknown): string {
  return JSON.stringify(value, (key, v: unknown) => (key === 'info' ? undefined : v));
}

/** An MCP server exposing the market tools; connect it to a stdio or Streamable HTTP transport. */
export function createMcpServer(options: McpServerOptions) {
  const { service, log, metrics } = options;
  const server = new Server(
    { name: 'marketgate', title: 'Marketgate market data', version: options.version },
    { capabilities: { tools: {} }, instructions: INSTRUCTIONS },
  );
  const tools: Tool[] = TOOLS.map((tool) => ({
    name: tool.name,
    description: tool.description,
    inputSchema: inputJsonSchema(tool.input),
    annotations: { readOnlyHint: true, openWorldHint: true, idempotentHint: false },
  }));

  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools }));

  server.setRequestHandler(CallToolRequestSchema, async (request): Promise<CallToolResult> => {
    const started = performance.now();
    const { name } = request.params;
    const args = request.params.arguments ?? {};
    const tool = TOOLS.find((t) => t.name === name);
    const finish = (outcome: string) =>
      metrics?.observeRequest(
        tool?.procedure ?? 'unknown',
        'mcp',
        outcome,
        (performance.now() - started) / 1000,
      );
    if (!tool) {
      finish('INVALID_INPUT');
      return errorResult(
        new MarketError(
          'INVALID_INPUT',
          `No tool named "${name}"; the tools are ${TOOLS.map((t) => t.name).join(', ')}`,
        ),
        args,
      );
    }
    try {
      await options.limit?.();
      const parsed = tool.input.safeParse(args);
      if (!parsed.success) {
        throw new MarketError('INVALID_INPUT', `Invalid arguments: ${describeIssues(parsed.error.issues)}`);
      }
      const result = await tool.run(service, parsed.data);
      finish('ok');
      return { content: [{ type: 'text', text: toJsonText(result) }] };
    } catch (cause) {
      const error = toMarketError(cause);
      finish(error.reason);
      if (error.reason === 'INTERNAL') log.error({ err: cause, tool: name }, 'MCP tool failed');
      else log.debug({ tool: name, reason: error.reason }, 'MCP tool error');
      return errorResult(error, args);
    }
  });

  return server;
}
