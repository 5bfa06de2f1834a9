import { MarketError } from '../errors.js';
import type { ExchangeSource, UpstreamMarket } from './source.js';

export interface LoadedMarkets {
  bySymbol: Record<string, UpstreamMarket>;
  /** Exchange-native id (upper-cased) → unified symbol, e.g. BTCUSDT → BTC/USDT. */
  symbolById: Map<string, string>;
  loadedAt: number;
}

export interface ExchangePoolOptions {
  create: (id: string) => ExchangeSource;
  /** Runs an upstream call with retries, counting and error mapping. */
  call: <T>(exchange: string, method: string, fn: () => Promise<T>) => Promise<T>;
  marketsTtlMs: number;
  now: () => number;
}

/**
 * One long-lived source per exchange, created on first use. Markets load once; concurrent loads
 * share one promise; a failed load is forgotten so the next call tries again.
 */
export class ExchangePool {
  private readonly sources = new Map<string, ExchangeSource>();
  private readonly markets = new Map<string, LoadedMarkets>();
  private readonly loading = new Map<string, Promise<LoadedMarkets>>();

  constructor(private readonly options: ExchangePoolOptions) {}

  source(id: string): ExchangeSource {
    let source = this.sources.get(id);
    if (!source) {
      source = this.options.create(id);
      this.sources.set(id, source);
    }
    return source;
  }

  /** Sources created so far. */
  active(): ExchangeSource[] {
    return [...this.sources.values()];
  }

  async loadMarkets(id: string): Promise<LoadedMarkets> {
    const current = this.markets.get(id);
    const fresh = current && this.options.now() - current.loadedAt < this.options.marketsTtlMs;
    if (current && fresh) return current;
    let pending = this.loading.get(id);
    if (!pending) {
      const reload = current !== undefined;
      pending = this.options
        .call(id, 'loadMarkets', () => this.source(id).loadMarkets(reload))
        .then((bySymbol) => {
          const loaded = index(bySymbol, this.options.now());
          this.markets.set(id, loaded);
          return loaded;
        })
        .finally(() => this.loading.delete(id));
      this.loading.set(id, pending);
    }
    try {
      return await pending;
    } catch (error) {
      // a stale list beats no list when a refresh fails
      if (current) return current;
      throw error;
    }
  }

  /** Unified symbol for `normalised` (already normalised) or the raw exchange id; UNKNOWN_SYMBOL otherwise. */
  async resolveSymbol(id: string, normalised: string, raw: string): Promise<string> {
    const loaded = await this.loadMarkets(id);
    if (Object.hasOwn(loaded.bySymbol, normalised)) return normalised;
    const byId = loaded.symbolById.get(raw.trim().toUpperCase());
    if (byId) return byId;
    throw new MarketError(
      'UNKNOWN_SYMBOL',
      `${id} has no market "${raw.slice(0, 64)}"; search its markets with exchanges.markets`,
      {
        exchange: id,
      },
    );
  }

  async closeAll(): Promise<void> {
    const sources = [...this.sources.values()];
    this.sources.clear();
    this.markets.clear();
    await Promise.allSettled(sources.map((s) => s.close()));
  }
}

function index(bySymbol: Record<string, UpstreamMarket>, now: number): LoadedMarkets {
  const symbolById = new Map<string, string>();
  for (const market of Object.values(bySymbol)) {
    if (typeof market.id === 'string' && !symbolById.has(market.id.toUpperCase())) {
      symbolById.set(market.id.toUpperCase(), market.symbol);
    }
  }
  return { bySymbol, symbolById, loadedAt: now };
}
