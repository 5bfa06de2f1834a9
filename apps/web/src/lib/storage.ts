import { useCallback, useSyncExternalStore } from 'react';

/** Watchlists, one per exchange, kept in localStorage and shared live between tabs. */

const PREFIX = 'marketgate:watchlist:';
const MAX_SYMBOLS = 100;
const listeners = new Set<() => void>();
const cache = new Map<string, { raw: string | null; value: string[] | undefined }>();

function read(exchange: string): string[] | undefined {
  let raw: string | null = null;
  try {
    raw = window.localStorage.getItem(PREFIX + exchange);
  } catch {
    raw = null;
  }
  const hit = cache.get(exchange);
  if (hit && hit.raw === raw) return hit.value;
  let value: string[] | undefined;
  try {
    const parsed: unknown = raw === null ? undefined : JSON.parse(raw);
    value = Array.isArray(parsed)
      ? parsed.filter((s): s is string => typeof s === 'string' && s.length > 0).slice(0, MAX_SYMBOLS)
      : undefined;
  } catch {
    value = undefined;
  }
  cache.set(exchange, { raw, value });
  return value;
}

function write(exchange: string, symbols: string[]): void {
  try {
    window.localStorage.setItem(PREFIX + exchange, JSON.stringify(symbols));
  } catch {
    // storage full or disabled: the list still works for this page
    cache.set(exchange, { raw: JSON.stringify(symbols), value: symbols });
  }
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  const onStorage = (event: StorageEvent) => {
    if (event.key === null || event.key.startsWith(PREFIX)) listener();
  };
  window.addEventListener('storage', onStorage);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('storage', onStorage);
  };
}

export interface Watchlist {
  symbols: string[];
  /** True when the list comes from storage rather than the defaults. */
  saved: boolean;
  add(symbol: string): void;
  remove(symbol: string): void;
  move(symbol: string, offset: number): void;
}

/** The watchlist of `exchange`; the server's default symbols until the person changes it. */
export function useWatchlist(exchange: string, defaults: readonly string[]): Watchlist {
  const stored = useSyncExternalStore(
    subscribe,
    () => read(exchange),
    () => undefined,
  );
  const symbols = stored ?? (defaults as string[]);
  const add = useCallback(
    (symbol: string) => {
      const current = read(exchange) ?? [...defaults];
      if (current.includes(symbol)) return;
      write(exchange, [...current, symbol].slice(0, MAX_SYMBOLS));
    },
    [exchange, defaults],
  );
  const remove = useCallback(
    (symbol: string) => {
      const current = read(exchange) ?? [...defaults];
      write(
        exchange,
        current.filter((s) => s !== symbol),
      );
    },
    [exchange, defaults],
  );
  const move = useCallback(
    (symbol: string, offset: number) => {
      const current = [...(read(exchange) ?? defaults)];
      const from = current.indexOf(symbol);
      const to = from + offset;
      if (from === -1 || to < 0 || to >= current.length) return;
      current.splice(from, 1);
      current.splice(to, 0, symbol);
      write(exchange, current);
    },
    [exchange, defaults],
  );
  return { symbols, saved: stored !== undefined, add, remove, move };
}
