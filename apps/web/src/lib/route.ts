import { useCallback, useMemo, useSyncExternalStore } from 'react';

/** The dashboard's state lives in the URL: shareable links, working back and forward buttons. */

export const VIEWS = ['markets', 'symbol', 'compare', 'status'] as const;
export type View = (typeof VIEWS)[number];

export const TIMEFRAMES = ['1m', '5m', '15m', '1h', '4h', '1d'] as const;
export type Timeframe = (typeof TIMEFRAMES)[number];
export const DEFAULT_TIMEFRAME: Timeframe = '1m';

export interface Route {
  view: View;
  /** undefined: use the server's default exchange. */
  exchange: string | undefined;
  symbol: string | undefined;
  timeframe: Timeframe;
  /** Compare view: the exchanges side by side (undefined: a default set). */
  exchanges: string[] | undefined;
}

const PATHS: Record<View, string> = {
  markets: '/',
  symbol: '/symbol',
  compare: '/compare',
  status: '/status',
};

export function isTimeframe(value: string | null | undefined): value is Timeframe {
  return (TIMEFRAMES as readonly string[]).includes(value ?? '');
}

function clean(value: string | null): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed.slice(0, 64) : undefined;
}

/** Parses a location (pathname + search) into a Route; unknown paths read as the markets view. */
export function parseRoute(pathname: string, search: string): Route {
  const path = pathname.replace(/\/+$/, '') || '/';
  const view = (Object.entries(PATHS).find(([, p]) => p === path)?.[0] as View | undefined) ?? 'markets';
  const params = new URLSearchParams(search);
  const timeframe = params.get('timeframe');
  const exchanges = clean(params.get('exchanges'))
    ?.split(',')
    .map((e) => e.trim())
    .filter((e) => e.length > 0)
    .slice(0, 12);
  return {
    view,
    exchange: clean(params.get('exchange')),
    symbol: clean(params.get('symbol')),
    timeframe: isTimeframe(timeframe) ? timeframe : DEFAULT_TIMEFRAME,
    exchanges: exchanges && exchanges.length > 0 ? exchanges : undefined,
  };
}

/** Query values keep `/`, `:` and `,` readable: ?symbol=BTC/USDT&exchanges=sim,binance */
function encodeValue(value: string): string {
  return encodeURIComponent(value).replace(/%2F/gi, '/').replace(/%3A/gi, ':').replace(/%2C/gi, ',');
}

/** The URL of a route; only the parameters the view uses are written. */
export function routeHref(route: Route): string {
  const params: [string, string][] = [];
  if (route.exchange && route.view !== 'status' && route.view !== 'compare') {
    params.push(['exchange', route.exchange]);
  }
  if (route.symbol && (route.view === 'symbol' || route.view === 'compare')) {
    params.push(['symbol', route.symbol]);
  }
  if (route.view === 'symbol' && route.timeframe !== DEFAULT_TIMEFRAME) {
    params.push(['timeframe', route.timeframe]);
  }
  if (route.view === 'compare' && route.exchanges && route.exchanges.length > 0) {
    params.push(['exchanges', route.exchanges.join(',')]);
  }
  const query = params.map(([k, v]) => `${k}=${encodeValue(v)}`).join('&');
  return query ? `${PATHS[route.view]}?${query}` : PATHS[route.view];
}

const NAVIGATE_EVENT = 'marketgate:navigate';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  window.addEventListener(NAVIGATE_EVENT, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(NAVIGATE_EVENT, onChange);
  };
}

function snapshot(): string {
  return window.location.pathname + window.location.search;
}

export function navigateTo(href: string, options: { replace?: boolean } = {}): void {
  if (href === snapshot()) return;
  if (options.replace) window.history.replaceState(null, '', href);
  else window.history.pushState(null, '', href);
  window.dispatchEvent(new Event(NAVIGATE_EVENT));
}

export type Navigate = (change: Partial<Route>, options?: { replace?: boolean }) => void;

/** The current route and a navigate function that pushes a history entry (or replaces it). */
export function useRoute(): [Route, Navigate] {
  const location = useSyncExternalStore(subscribe, snapshot, () => '/');
  const route = useMemo(() => {
    const q = location.indexOf('?');
    return q === -1 ? parseRoute(location, '') : parseRoute(location.slice(0, q), location.slice(q));
  }, [location]);
  const navigate = useCallback<Navigate>(
    (change, options) => {
      navigateTo(routeHref({ ...route, ...change }), options);
    },
    [route],
  );
  return [route, navigate];
}
