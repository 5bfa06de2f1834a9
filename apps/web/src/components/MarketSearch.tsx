import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { Ref } from 'react';
import { useDebounced } from '../lib/hooks';
import { useTRPC } from '../lib/trpc';
import type { MarketSummary } from '../lib/types';
import { ErrorNote } from './ui';
import { SearchBox } from './SearchBox';

/** Markets matching `query` (symbol, base or quote), prefix matches first. */
export function matchMarkets(markets: MarketSummary[], query: string): MarketSummary[] {
  const q = query.trim().toUpperCase().replace(/[-_]/g, '/');
  if (!q) return markets;
  const hits = markets.filter((m) => m.symbol.toUpperCase().includes(q) || m.base.toUpperCase() === q);
  const rank = (m: MarketSummary) => {
    const symbol = m.symbol.toUpperCase();
    return symbol === q ? 0 : symbol.startsWith(q) ? 1 : m.base.toUpperCase() === q ? 2 : 3;
  };
  return hits.sort((a, b) => rank(a) - rank(b));
}

/** Searches the markets of one exchange (`exchanges.markets`) and hands the picked symbol back. */
export function MarketSearch({
  exchange,
  onPick,
  placeholder,
  label,
  inputRef,
  hint,
  exclude,
  testId,
  autoFocus,
  alwaysOpen,
  onClose,
}: {
  exchange: string;
  onPick: (symbol: string) => void;
  placeholder: string;
  label: string;
  inputRef?: Ref<HTMLInputElement>;
  hint?: string;
  exclude?: readonly string[];
  testId?: string;
  autoFocus?: boolean;
  alwaysOpen?: boolean;
  onClose?: () => void;
}) {
  const trpc = useTRPC();
  const [query, setQuery] = useState('');
  const search = useDebounced(query.trim(), 150);
  const markets = useQuery({
    ...trpc.exchanges.markets.queryOptions({ exchange, ...(search ? { search } : {}), limit: 50 }),
    staleTime: 60_000,
    placeholderData: keepPreviousData,
  });
  // the server's answer may be for an older query while the next one is on its way: filter it locally too
  const items = matchMarkets(markets.data ?? [], query).filter((m) => !exclude?.includes(m.symbol));
  const status = markets.error ? (
    <ErrorNote error={markets.error} subject={{ exchange }} compact />
  ) : markets.isPending ? (
    <span className="muted">Loading markets…</span>
  ) : items.length === 0 ? (
    <span className="muted">
      No market matches “{query}” on {exchange}
    </span>
  ) : undefined;
  return (
    <SearchBox<MarketSummary>
      query={query}
      onQuery={setQuery}
      items={items}
      itemKey={(m) => m.symbol}
      renderItem={(m) => (
        <span className="market-option">
          <span className="symbol">{m.symbol}</span>
          <span className="muted">{m.type}</span>
          {m.active ? null : <span className="badge">inactive</span>}
        </span>
      )}
      onPick={(m) => {
        setQuery('');
        onPick(m.symbol);
      }}
      placeholder={placeholder}
      label={label}
      status={status}
      {...(inputRef ? { inputRef } : {})}
      {...(hint ? { hint } : {})}
      {...(testId ? { testId } : {})}
      {...(autoFocus ? { autoFocus } : {})}
      {...(alwaysOpen ? { alwaysOpen } : {})}
      {...(onClose ? { onClose } : {})}
    />
  );
}
