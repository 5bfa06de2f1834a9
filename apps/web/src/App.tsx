import { QueryClientProvider, useQuery } from '@tanstack/react-query';
import { lazy, Suspense, useEffect, useRef } from 'react';
import { ConnectionIndicator } from './components/ConnectionIndicator';
import { ExchangePicker } from './components/ExchangePicker';
import { Link } from './components/Link';
import { MarketSearch } from './components/MarketSearch';
import { ErrorNote, Skeleton } from './components/ui';
import type { ConnectionTracker } from './lib/connection';
import { useSlashShortcut } from './lib/hooks';
import { routeHref, useRoute } from './lib/route';
import type { Route, View } from './lib/route';
import type { Clients } from './lib/trpc';
import { TRPCProvider, useTRPC } from './lib/trpc';
import { CompareView } from './views/CompareView';
import { MarketsView } from './views/MarketsView';
import { StatusView } from './views/StatusView';

// the chart library is the heaviest part: loaded when a symbol is opened
const SymbolView = lazy(() => import('./views/SymbolView'));

export function App({ clients }: { clients: Clients }) {
  return (
    <QueryClientProvider client={clients.queryClient}>
      <TRPCProvider trpcClient={clients.trpcClient} queryClient={clients.queryClient}>
        <Shell tracker={clients.tracker} />
      </TRPCProvider>
    </QueryClientProvider>
  );
}

const NAV: { view: View; label: string }[] = [
  { view: 'markets', label: 'Markets' },
  { view: 'compare', label: 'Compare' },
  { view: 'status', label: 'Status' },
];

function Shell({ tracker }: { tracker: ConnectionTracker }) {
  const trpc = useTRPC();
  const [route, navigate] = useRoute();
  const search = useRef<HTMLInputElement>(null);
  const defaults = useQuery({ ...trpc.system.defaults.queryOptions(), staleTime: Infinity });
  // a light heartbeat so the connection indicator notices an outage on any view
  const health = useQuery({
    ...trpc.system.health.queryOptions(),
    refetchInterval: 3_000,
    retry: false,
  });
  useSlashShortcut(() => search.current?.focus());

  const exchange = route.exchange ?? defaults.data?.exchange;
  const symbols = defaults.data?.symbols;

  useEffect(() => {
    const parts = [route.view === 'symbol' || route.view === 'compare' ? route.symbol : undefined];
    parts.push(route.view === 'markets' ? 'Markets' : route.view === 'status' ? 'Status' : undefined);
    if (route.view === 'compare') parts.push('Compare');
    document.title = [...parts.filter(Boolean), 'Marketgate'].join(' · ');
  }, [route]);

  const hrefFor = (view: View): string => {
    const next: Route = { ...route, view };
    if (view === 'compare' && !next.symbol) next.symbol = symbols?.[0];
    return routeHref(next);
  };

  return (
    <div className="app">
      <header className="topbar">
        <Link href={routeHref({ ...route, view: 'markets' })} className="brand" aria-label="Marketgate home">
          <svg viewBox="0 0 32 32" width="20" height="20" aria-hidden="true">
            <path
              d="M6 22l6-7 5 4 9-11"
              fill="none"
              stroke="currentColor"
              strokeWidth="3"
              strokeLinecap="round"
              strokeLinejoin="round"
            />
          </svg>
          <span>Marketgate</span>
        </Link>
        <nav className="tabs" aria-label="Views">
          {NAV.map((item) => (
            <Link
              key={item.view}
              href={hrefFor(item.view)}
              className={route.view === item.view ? 'tab active' : 'tab'}
              aria-current={route.view === item.view ? 'page' : undefined}
            >
              {item.label}
            </Link>
          ))}
        </nav>
        {exchange ? (
          <ExchangePicker
            exchange={exchange}
            // an exchange is picked to look at its markets, from whichever view
            onPick={(id) => navigate({ exchange: id, view: 'markets' })}
          />
        ) : null}
        {exchange ? (
          <MarketSearch
            exchange={exchange}
            inputRef={search}
            placeholder="Search symbol"
            label="Search symbol"
            hint="/"
            testId="symbol-search"
            onPick={(symbol) => {
              search.current?.blur();
              navigate({ view: 'symbol', exchange, symbol });
            }}
          />
        ) : null}
        <ConnectionIndicator tracker={tracker} />
      </header>
      <main className="content">
        {defaults.error && !defaults.data ? (
          <ErrorNote error={defaults.error} />
        ) : !exchange || !symbols ? (
          <div className="panel loading-panel" aria-busy="true">
            <Skeleton width="40%" height={16} />
            <Skeleton height={12} />
            <Skeleton height={12} />
          </div>
        ) : (
          <ViewSwitch
            route={route}
            exchange={exchange}
            defaultSymbols={symbols}
            defaultExchange={defaults.data?.exchange ?? exchange}
          />
        )}
      </main>
      <footer className="footer">
        <span className="muted">
          Marketgate {health.data ? `v${health.data.version}` : ''} · data via ccxt
        </span>
        <span className="muted">
          Press <kbd>/</kbd> to search
        </span>
      </footer>
    </div>
  );
}

function ViewSwitch({
  route,
  exchange,
  defaultSymbols,
  defaultExchange,
}: {
  route: Route;
  exchange: string;
  defaultSymbols: string[];
  defaultExchange: string;
}) {
  switch (route.view) {
    case 'symbol':
      return route.symbol ? (
        <Suspense
          fallback={
            <div className="panel loading-panel" aria-busy="true">
              <Skeleton height={320} />
            </div>
          }
        >
          <SymbolView
            exchange={exchange}
            symbol={route.symbol}
            timeframe={route.timeframe}
            defaultSymbols={defaultSymbols}
          />
        </Suspense>
      ) : (
        <MarketsView exchange={exchange} defaultSymbols={defaultSymbols} />
      );
    case 'compare':
      return (
        <CompareView
          symbol={route.symbol ?? defaultSymbols[0] ?? 'BTC/USDT'}
          exchanges={route.exchanges}
          defaultExchange={defaultExchange}
        />
      );
    case 'status':
      return <StatusView />;
    default:
      return <MarketsView exchange={exchange} defaultSymbols={defaultSymbols} />;
  }
}
