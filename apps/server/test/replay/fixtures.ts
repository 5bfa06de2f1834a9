import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * ccxt's recorded public responses (`<repo>/../shared/fixtures/ccxt-static/`, see its README): per
 * exchange the raw `httpResponse` of a call and the `parsedResponse` ccxt makes of it, plus the
 * already-parsed markets. The folder is not part of the repo; `available` says whether it is there.
 */

export const REPLAY_EXCHANGES = ['binance', 'okx', 'kraken', 'bybit', 'coinbaseexchange'] as const;
export type ReplayExchange = (typeof REPLAY_EXCHANGES)[number];

export interface FixtureEntry {
  description: string;
  method: string;
  /** Positional arguments of the ccxt call; null stands for undefined. */
  input: unknown[];
  httpResponse: unknown;
  parsedResponse: unknown;
}

/** A ccxt market structure as stored in markets.json (only the fields the replay needs are typed). */
export interface FixtureMarket {
  id: string;
  symbol: string;
  type?: string;
  spot?: boolean;
  swap?: boolean;
  linear?: boolean | null;
  inverse?: boolean | null;
  [key: string]: unknown;
}

export interface ExchangeFixtures {
  exchange: ReplayExchange;
  markets: Record<string, FixtureMarket>;
  /** method name (fetchTicker, fetchOHLCV, …) → recorded entries */
  methods: Record<string, FixtureEntry[]>;
}

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
export const FIXTURES_DIR = resolve(repoRoot, '..', 'shared', 'fixtures', 'ccxt-static');

/** True when the fixtures folder exists; a present but broken folder fails loudly instead of skipping. */
export const available = existsSync(FIXTURES_DIR);

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8')) as unknown;
}

function loadExchange(exchange: ReplayExchange): ExchangeFixtures {
  const dir = join(FIXTURES_DIR, exchange);
  const response = readJson(join(dir, 'response.json')) as { methods?: Record<string, FixtureEntry[]> };
  const markets = readJson(join(dir, 'markets.json')) as Record<string, FixtureMarket>;
  if (!response.methods) throw new Error(`${dir}/response.json has no "methods"`);
  return { exchange, markets, methods: response.methods };
}

/** Every replayed exchange's fixtures; empty when the folder is absent. */
export const fixtures: Partial<Record<ReplayExchange, ExchangeFixtures>> = available
  ? Object.fromEntries(REPLAY_EXCHANGES.map((id) => [id, loadExchange(id)]))
  : {};

export function fixturesOf(exchange: ReplayExchange): ExchangeFixtures {
  const found = fixtures[exchange];
  if (!found) throw new Error(`no ccxt-static fixtures for ${exchange} (looked in ${FIXTURES_DIR})`);
  return found;
}

export function entriesOf(exchange: ReplayExchange, method: string): FixtureEntry[] {
  return fixturesOf(exchange).methods[method] ?? [];
}

/** The market an entry's call is about (its first input is the unified symbol). */
export function marketOf(exchange: ReplayExchange, entry: FixtureEntry): FixtureMarket | undefined {
  const symbol = entry.input[0];
  return typeof symbol === 'string' ? fixturesOf(exchange).markets[symbol] : undefined;
}

/** The Ticker fields ccxt's parsed tickers carry too (ours adds exchange, symbol, fetchedAt, source, cached). */
export const TICKER_FIELDS = [
  'timestamp',
  'last',
  'bid',
  'ask',
  'high',
  'low',
  'open',
  'close',
  'baseVolume',
  'quoteVolume',
  'change',
  'percentage',
  'vwap',
] as const;

/** Those fields of a ticker (ours or ccxt's), numbers or null, for comparing the two. */
export function tickerFields(ticker: object): Record<string, number | null> {
  const t = ticker as Record<string, unknown>;
  return Object.fromEntries(TICKER_FIELDS.map((f) => [f, typeof t[f] === 'number' ? t[f] : null]));
}
