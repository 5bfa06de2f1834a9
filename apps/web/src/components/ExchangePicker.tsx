import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useTRPC } from '../lib/trpc';
import type { ExchangeInfo } from '../lib/types';
import { SearchBox } from './SearchBox';
import { ErrorNote, SimBadge } from './ui';

export function useExchanges() {
  const trpc = useTRPC();
  return useQuery({ ...trpc.exchanges.list.queryOptions(), staleTime: 5 * 60_000 });
}

/** Whether an exchange's data is simulated (from `exchanges.list`; `sim` until that loads). */
export function useIsSimulated(exchange: string): boolean {
  const list = useExchanges();
  return list.data?.find((e) => e.id === exchange)?.simulated ?? exchange === 'sim';
}

export function filterExchanges(list: ExchangeInfo[], query: string): ExchangeInfo[] {
  const q = query.trim().toLowerCase();
  if (!q) return list;
  const starts = list.filter((e) => e.id.startsWith(q) || e.name.toLowerCase().startsWith(q));
  const contains = list.filter(
    (e) => !starts.includes(e) && (e.id.includes(q) || e.name.toLowerCase().includes(q)),
  );
  return [...starts, ...contains];
}

/** A button showing the current exchange that opens a searchable list of every exchange. */
export function ExchangePicker({ exchange, onPick }: { exchange: string; onPick: (id: string) => void }) {
  const list = useExchanges();
  const [open, setOpen] = useState(false);
  const [query, setQuery] = useState('');
  const box = useRef<HTMLDivElement>(null);
  const current = list.data?.find((e) => e.id === exchange);
  const simulated = current?.simulated ?? exchange === 'sim';

  useEffect(() => {
    if (!open) return;
    const onDown = (event: MouseEvent) => {
      if (box.current && !box.current.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', onDown);
    return () => document.removeEventListener('mousedown', onDown);
  }, [open]);

  const items = filterExchanges(list.data ?? [], query).slice(0, 80);
  return (
    <div className="exchange-picker" ref={box}>
      <button
        type="button"
        className="exchange-button"
        aria-haspopup="listbox"
        aria-expanded={open}
        data-testid="exchange-button"
        onClick={() => setOpen((o) => !o)}
      >
        <span className="label">Exchange</span>
        <span className="value">{current?.name ?? exchange}</span>
        {simulated ? <SimBadge /> : null}
        <span className="caret" aria-hidden="true">
          ▾
        </span>
      </button>
      {open ? (
        <div className="exchange-popover">
          <SearchBox<ExchangeInfo>
            query={query}
            onQuery={setQuery}
            items={items}
            itemKey={(e) => e.id}
            renderItem={(e) => (
              <span className="market-option">
                <span className="symbol">{e.name}</span>
                <span className="muted">{e.id}</span>
                {e.simulated ? <SimBadge compact /> : null}
              </span>
            )}
            onPick={(e) => {
              setOpen(false);
              setQuery('');
              onPick(e.id);
            }}
            placeholder="Search exchanges"
            label="Exchanges"
            autoFocus
            alwaysOpen
            onClose={() => setOpen(false)}
            testId="exchange-search"
            status={
              list.error ? (
                <ErrorNote error={list.error} compact />
              ) : list.isPending ? (
                <span className="muted">Loading exchanges…</span>
              ) : items.length === 0 ? (
                <span className="muted">No exchange matches “{query}”</span>
              ) : undefined
            }
          />
        </div>
      ) : null}
    </div>
  );
}
