import { z } from 'zod';
import { createDocument } from 'zod-openapi';
import type { ZodOpenApiOperationObject, ZodOpenApiPathsObject, ZodOpenApiResponseObject } from 'zod-openapi';
import {
  ERROR_REASONS,
  REASON_STATUS,
  exchangeInfoSchema,
  healthSchema,
  marketSummarySchema,
  ohlcvSchema,
  orderBookSchema,
  tickerSchema,
  tradeSchema,
} from '@marketgate/market-core';
import { fieldKind } from './procedures.js';
import type { RestProcedure } from './procedures.js';

/** Body of every REST error response. */
export const restErrorSchema = z
  .object({
    message: z.string().describe('What went wrong, naming the field for invalid input'),
    code: z.string().describe('tRPC error code, e.g. NOT_FOUND'),
    reason: z.enum(ERROR_REASONS).describe('Machine-readable reason from the closed set of the API contract'),
    retryable: z.boolean().describe('True when the same request may succeed later'),
    retryAfterMs: z.number().optional().describe('Suggested wait before retrying, in ms'),
  })
  .meta({ id: 'Error' });

const STATUS_TEXT: Record<number, string> = {
  400: 'Invalid input (INVALID_INPUT) or not supported by the exchange (NOT_SUPPORTED)',
  404: 'Unknown exchange (UNKNOWN_EXCHANGE) or symbol (UNKNOWN_SYMBOL)',
  429: 'This client exceeded its request budget (RATE_LIMITED)',
  500: 'Internal error (INTERNAL)',
  502: 'The exchange returned an error (UPSTREAM_ERROR)',
  503: 'The exchange throttled us or is unreachable (UPSTREAM_RATE_LIMITED, UPSTREAM_UNAVAILABLE)',
  504: 'The exchange did not answer in time (UPSTREAM_TIMEOUT)',
};

const retryAfterHeader = z.string().describe('Seconds to wait before retrying');

/** Which error statuses a procedure can answer with. */
function errorStatuses(procedure: RestProcedure): number[] {
  if (procedure.name === 'system.health') return [500];
  if (!procedure.input) return [429, 500];
  return [...new Set(Object.values(REASON_STATUS).map((s) => s.http))].sort();
}

const PARAM_EXAMPLES: Record<string, string> = {
  exchange: 'sim',
  symbol: 'BTC-USDT',
  symbols: 'BTC-USDT,ETH-USDT',
};

/** Path and query parameter objects for one procedure, from its input schema's fields. */
function requestParams(procedure: RestProcedure): ZodOpenApiOperationObject['requestParams'] {
  if (!procedure.input) return undefined;
  const path: Record<string, z.ZodType> = {};
  const query: Record<string, z.ZodType> = {};
  for (const [key, field] of Object.entries(procedure.input.shape) as [string, z.ZodType][]) {
    const example = PARAM_EXAMPLES[key];
    if (procedure.pathParams.includes(key)) {
      const description =
        key === 'symbol'
          ? `${field.description ?? 'Market symbol'}. In a path write BTC-USDT, or BTC%2FUSDT for BTC/USDT.`
          : field.description;
      path[key] = field.meta({ description, param: { example } });
    } else if (fieldKind(field) === 'array') {
      query[key] = field.meta({
        description: `${field.description ?? key}: comma-separated, e.g. ${example ?? 'a,b'}`,
        param: { style: 'form', explode: false, example },
      });
    } else {
      query[key] = example ? field.meta({ description: field.description, param: { example } }) : field;
    }
  }
  return {
    ...(Object.keys(path).length > 0 ? { path: z.object(path) } : {}),
    ...(Object.keys(query).length > 0 ? { query: z.object(query) } : {}),
  };
}

function operation(procedure: RestProcedure): ZodOpenApiOperationObject {
  const { meta } = procedure;
  const responses: Record<string, ZodOpenApiResponseObject> = {
    200: {
      description: meta.successDescription ?? 'Successful response',
      content: { 'application/json': { schema: procedure.output } },
    },
  };
  for (const status of errorStatuses(procedure)) {
    responses[String(status)] = {
      description: STATUS_TEXT[status] ?? 'Error',
      ...(status === 429 || status === 503 ? { headers: z.object({ 'Retry-After': retryAfterHeader }) } : {}),
      content: { 'application/json': { schema: restErrorSchema } },
    };
  }
  return {
    operationId: procedure.name,
    ...(meta.summary ? { summary: meta.summary } : {}),
    description: `${meta.description ? `${meta.description}\n\n` : ''}Same as the tRPC procedure \`${procedure.name}\`.`,
    ...(meta.tags ? { tags: meta.tags } : {}),
    requestParams: requestParams(procedure),
    responses,
  };
}

export type OpenApiDocument = ReturnType<typeof createDocument>;

/** OpenAPI 3.1 document of the REST procedures, built from the router's schemas. */
export function openApiDocument(procedures: readonly RestProcedure[], version: string): OpenApiDocument {
  const paths: ZodOpenApiPathsObject = {};
  for (const procedure of procedures) {
    paths[procedure.path] = { ...paths[procedure.path], get: operation(procedure) };
  }
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Marketgate REST API',
      version,
      description:
        'Live and historical crypto market data from every exchange ccxt supports, plus the offline ' +
        'simulated exchange `sim`. The same router also answers tRPC at /trpc and MCP at /mcp. Errors ' +
        'carry a `reason` from a closed set; 429 and 503 answers carry Retry-After.',
    },
    servers: [{ url: '/' }],
    tags: [
      { name: 'market', description: 'Tickers, candles, order books and trades' },
      { name: 'exchanges', description: 'Exchanges and their markets' },
      { name: 'system', description: 'Health' },
    ],
    paths,
    // named components: wherever these schemas occur, the document refers to them
    components: {
      schemas: {
        Ticker: tickerSchema,
        Ohlcv: ohlcvSchema,
        OrderBook: orderBookSchema,
        Trade: tradeSchema,
        ExchangeInfo: exchangeInfoSchema,
        MarketSummary: marketSummarySchema,
        Health: healthSchema,
      },
    },
  });
}
