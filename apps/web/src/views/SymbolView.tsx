import { useEffect } from 'react';
import { useIsSimulated } from '../components/ExchangePicker';
import { Link } from '../components/Link';
import { OrderBookPanel } from '../components/OrderBookPanel';
import { PriceChart } from '../components/PriceChart';
import { TradesPanel } from '../components/TradesPanel';
import { Change, ErrorNote, FlashPrice, Panel, SimBadge, Skeleton } from '../components/ui';
import { errorFacts } from '../lib/errors';
import { formatCompact, formatPrice } from '../lib/format';
import { useLiveTicker } from '../lib/live';
import { routeHref, TIMEFRAMES, useRoute } from '../lib/route';
import { useWatchlist } from '../lib/storage';
import type { Timeframe } from '../lib/route';

/** One symbol: price header, candles with volume, live order book, recent trades. */
export default function SymbolView({
  exchange,
  symbol,
  timeframe,
  defaultSymbols,
}: {
  exchange: string;
  symbol: string;
  timeframe: Timeframe;
  defaultSymbols: string[];
}) {
  const [route, navigate] = useRoute();
  const ticker = useLiveTicker(exchange, symbol);
  const simulated = useIsSimulated(exchange);
  const watchlist = useWatchlist(exchange, defaultSymbols);
  const watching = watchlist.symbols.includes(symbol);
  const t = ticker.data;
  const fatal = ticker.error && !errorFacts(ticker.error).retryable;

  // the price in the tab title, like any trading terminal
  const last = t?.last;
  useEffect(() => {
    if (last === null || last === undefined) return;
    document.title = `${formatPrice(last)} ${symbol} · Marketgate`;
  }, [last, symbol]);

  if (fatal) {
    return (
      <Panel title={symbol} testId="symbol-error">
        <ErrorNote error={ticker.error} subject={{ exchange, symbol }} />
        <p className="muted hint">
          Pick another symbol with the search above (press <kbd>/</kbd>) or go back to the{' '}
          <Link href={routeHref({ ...route, view: 'markets', symbol: undefined })}>watchlist</Link>.
        </p>
      </Panel>
    );
  }

  return (
    <div className="symbol-view" data-testid="symbol-view">
      <section className="symbol-head panel">
        <div className="symbol-title">
          <h1>{symbol}</h1>
          <span className="muted">{exchange}</span>
          {simulated ? <SimBadge /> : null}
          <button
            type="button"
            className={watching ? 'button watch active' : 'button watch'}
            aria-pressed={watching}
            onClick={() => (watching ? watchlist.remove(symbol) : watchlist.add(symbol))}
            title={
              watching
                ? `Remove ${symbol} from the ${exchange} watchlist`
                : `Add ${symbol} to the ${exchange} watchlist`
            }
          >
            {watching ? '★ Watching' : '☆ Watch'}
          </button>
        </div>
        <div className="symbol-price">
          {t ? <FlashPrice value={t.last} className="big" /> : <Skeleton width={120} height={22} />}
          {t ? <Change value={t.percentage} /> : null}
        </div>
        <dl className="symbol-stats">
          <Stat label="Bid" value={formatPrice(t?.bid, t?.last)} />
          <Stat label="Ask" value={formatPrice(t?.ask, t?.last)} />
          <Stat label="24h high" value={formatPrice(t?.high, t?.last)} />
          <Stat label="24h low" value={formatPrice(t?.low, t?.last)} />
          <Stat label="24h vol" value={formatCompact(t?.quoteVolume ?? t?.baseVolume)} />
        </dl>
        {ticker.error ? <ErrorNote error={ticker.error} subject={{ exchange, symbol }} compact /> : null}
      </section>
      <section className="panel chart-panel">
        <div className="panel-head">
          <div className="timeframes" role="group" aria-label="Timeframe">
            {TIMEFRAMES.map((tf) => (
              <button
                key={tf}
                type="button"
                className={tf === timeframe ? 'tf active' : 'tf'}
                aria-pressed={tf === timeframe}
                onClick={() => navigate({ timeframe: tf })}
              >
                {tf}
              </button>
            ))}
          </div>
          <span className="muted small">UTC · scroll left for history</span>
        </div>
        <PriceChart exchange={exchange} symbol={symbol} timeframe={timeframe} />
      </section>
      <div className="symbol-side">
        <OrderBookPanel exchange={exchange} symbol={symbol} />
        <TradesPanel exchange={exchange} symbol={symbol} />
      </div>
    </div>
  );
}

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd className="num">{value}</dd>
    </div>
  );
}
