import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { z } from 'zod';
import { ExchangeRegistry } from '@marketgate/market-core';

/** The only reader of process.env: every MCP_* key of DESIGN.md, parsed and validated. */

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((v) => ['true', '1', 'yes'].includes(v));
const int = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `must be a whole number between ${min} and ${max}`)
    .transform(Number)
    .pipe(
      z.number().min(min, `must be between ${min} and ${max}`).max(max, `must be between ${min} and ${max}`),
    );
const list = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0),
);
const url = (protocols: string[]) =>
  z.string().refine(
    (v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`,
  );

const schema = z.object({
  MCP_HOST: z.string().min(1, 'must not be empty').default('127.0.0.1'),
  MCP_PORT: int(0, 65535).default(8787),
  MCP_EXCHANGES: list
    .refine((ids) => ExchangeRegistry.unknownIds(ids).length === 0, {
      message: 'lists ids that are neither ccxt exchanges nor sim',
    })
    .optional(),
  MCP_DEFAULT_EXCHANGE: z.string().min(1).default('sim'),
  MCP_DEFAULT_SYMBOLS: list.default(['BTC/USDT', 'ETH/USDT', 'SOL/USDT', 'XRP/USDT', 'DOGE/USDT']),
  MCP_TICKER_CACHE_TTL: z
    .string()
    .regex(/^\d+(\.\d+)?$/, 'must be a number of seconds, e.g. 2 or 0.5')
    .transform(Number)
    .default(2),
  MCP_CACHE_MAX_ENTRIES: int(1, 10_000_000).default(10_000),
  MCP_RATE_LIMIT_REQUESTS: int(1, 1_000_000_000).default(120),
  MCP_RATE_LIMIT_PERIOD: int(1, 86_400).default(60),
  MCP_TRUST_PROXY: bool.default(false),
  MCP_POLL_INTERVAL_MS: int(50, 3_600_000).default(1000),
  MCP_STREAM_MODE: z
    .enum(['auto', 'poll', 'watch'], { message: 'must be auto, poll or watch' })
    .default('auto'),
  MCP_REQUEST_TIMEOUT_MS: int(100, 300_000).default(10_000),
  MCP_RETRY_ATTEMPTS: int(0, 10).default(2),
  MCP_UPSTREAM_PROXY_URL: url(['http:', 'https:']).optional(),
  MCP_REDIS_URL: url(['redis:', 'rediss:']).optional(),
  MCP_LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      message: 'must be one of fatal, error, warn, info, debug, trace, silent',
    })
    .default('info'),
  MCP_LOG_FORMAT: z.enum(['json', 'text'], { message: 'must be json or text' }).optional(),
  MCP_CORS_ORIGINS: list.optional(),
});

type Parsed = z.output<typeof schema>;

export interface Config {
  host: string;
  port: number;
  exchanges: string[] | undefined;
  defaultExchange: string;
  defaultSymbols: string[];
  tickerTtlMs: number;
  cacheMaxEntries: number;
  rateLimit: { requests: number; periodS: number };
  trustProxy: boolean;
  pollIntervalMs: number;
  streamMode: 'auto' | 'poll' | 'watch';
  requestTimeoutMs: number;
  retryAttempts: number;
  upstreamProxyUrl: string | undefined;
  redisUrl: string | undefined;
  logLevel: Parsed['MCP_LOG_LEVEL'];
  logFormat: 'json' | 'text';
  corsOrigins: string[] | undefined;
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; errors: string[] };

/** Reads `.env` (if present) under the environment: a variable already set wins over the file. */
export function readEnv(
  env: NodeJS.ProcessEnv = process.env,
  envFile = resolve(process.cwd(), '.env'),
): Record<string, string | undefined> {
  const fromFile = existsSync(envFile) ? parseEnv(readFileSync(envFile, 'utf8')) : {};
  return { ...fromFile, ...env };
}

export function parseConfig(env: Record<string, string | undefined>, isTty = false): ConfigResult {
  const input = Object.fromEntries(
    Object.entries(env).filter(([k, v]) => k.startsWith('MCP_') && v !== undefined && v !== ''),
  );
  const result = schema.safeParse(input);
  if (!result.success) {
    return {
      ok: false,
      errors: result.error.issues.map((issue) => {
        const key = String(issue.path[0] ?? '');
        return `${key}=${JSON.stringify(input[key] ?? '')}: ${issue.message}`;
      }),
    };
  }
  const c = result.data;
  return {
    ok: true,
    config: {
      host: c.MCP_HOST,
      port: c.MCP_PORT,
      exchanges: c.MCP_EXCHANGES?.map((id) => id.toLowerCase()),
      defaultExchange: c.MCP_DEFAULT_EXCHANGE,
      defaultSymbols: c.MCP_DEFAULT_SYMBOLS,
      tickerTtlMs: Math.round(c.MCP_TICKER_CACHE_TTL * 1000),
      cacheMaxEntries: c.MCP_CACHE_MAX_ENTRIES,
      rateLimit: { requests: c.MCP_RATE_LIMIT_REQUESTS, periodS: c.MCP_RATE_LIMIT_PERIOD },
      trustProxy: c.MCP_TRUST_PROXY,
      pollIntervalMs: c.MCP_POLL_INTERVAL_MS,
      streamMode: c.MCP_STREAM_MODE,
      requestTimeoutMs: c.MCP_REQUEST_TIMEOUT_MS,
      retryAttempts: c.MCP_RETRY_ATTEMPTS,
      upstreamProxyUrl: c.MCP_UPSTREAM_PROXY_URL,
      redisUrl: c.MCP_REDIS_URL,
      logLevel: c.MCP_LOG_LEVEL,
      logFormat: c.MCP_LOG_FORMAT ?? (isTty ? 'text' : 'json'),
      corsOrigins: c.MCP_CORS_ORIGINS,
    },
  };
}

/** Config from the process environment and `.env`; exits 1 naming each bad key when invalid. */
export function loadConfigOrExit(): Config {
  const result = parseConfig(readEnv(), Boolean(process.stdout.isTTY));
  if (result.ok) return result.config;
  process.stderr.write(`Invalid configuration:\n${result.errors.map((e) => `  - ${e}`).join('\n')}\n`);
  process.exit(1);
}

/** Config for tests and embedding: defaults overlaid with the given MCP_* values. */
export function configFrom(env: Record<string, string | undefined>): Config {
  const result = parseConfig(env);
  if (!result.ok) throw new Error(`Invalid configuration: ${result.errors.join('; ')}`);
  return result.config;
}
