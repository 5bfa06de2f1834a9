import { useState } from 'react';
import { useIsSimulated } from '../components/ExchangePicker';
import { Link } from '../components/Link';
import { MarketSearch } from '../components/MarketSearch';
import { Change, ErrorNote, FlashPrice, Panel, SimBadge, SkeletonRows } from '../components/ui';
import { formatAge, formatBps, formatCompact, formatPrice, spreadOf } from '../lib/format';
import { useNow } from '../lib/hooks';
import { useLiveTickers } from '../lib/live';
import { navigateTo, routeHref } from '../lib/route';
import { useWatchlist } from '../lib/storage';
import type { Ticker } from '../lib/types';

/** Home: the watchlist of one exchange, live. */
export function MarketsView({ exchange, defaultSymbols }: { exchange: string; defaultSymbols: string[] }) {
  const watchlist = useWatchlist(exchange, defaultSymbols);
  const simulated = useIsSimulated(exchange);
  const [adding, setAdding] = useState(false);
  const live = useLiveTickers(exchange, watchlist.symbols);
  const now = useNow(1000);
  const bySymbol = new Map((live.data ?? []).map((t) => [t.symbol, t]));

  return (
    <Panel
      testId="watchlist"
      className="watchlist"
      title={
        <>
          Watchlist <span className="muted">· {exchange}</span> {simulated ? <SimBadge /> : null}
        </>
      }
      actions={
        adding ? (
          <MarketSearch
            exchange={exchange}
            placeholder="Add symbol…"
            label="Add symbol to watchlist"
            exclude={watchlist.symbols}
            autoFocus
            testId="add-symbol-search"
            onClose={() => setAdding(false)}
            onPick={(symbol) => {
              watchlist.add(symbol);
              setAdding(false);
            }}
          />
        ) : (
          <button type="button" className="button" onClick={() => setAdding(true)} data-testid="add-symbol">
            + Add symbol
          </button>
        )
      }
    >
      {live.error ? <ErrorNote error={live.error} subject={{ exchange }} /> : null}
      {watchlist.symbols.length === 0 ? (
        <p className="empty">The watchlist is empty. Add a symbol to follow it live.</p>
      ) : (
        <div className="table-scroll">
          <table className="grid watchlist-table">
            <thead>
              <tr>
                <th className="left">Symbol</th>
                <th>Last</th>
                <th>Chg 24h</th>
                <th className="hide-narrow">Bid</th>
                <th className="hide-narrow">Ask</th>
                <th className="hide-narrow">Spread</th>
                <th className="hide-narrow">Vol 24h</th>
                <th className="hide-narrow">Updated</th>
                <th aria-label="Actions" />
              </tr>
            </thead>
            <tbody>
              {live.loading ? (
                <SkeletonRows rows={watchlist.symbols.length} columns={9} />
              ) : (
                watchlist.symbols.map((symbol) => (
                  <WatchRow
                    key={symbol}
                    exchange={exchange}
                    symbol={symbol}
                    ticker={bySymbol.get(symbol)}
                    now={now}
                    onRemove={() => watchlist.remove(symbol)}
                  />
                ))
              )}
            </tbody>
          </table>
        </div>
      )}
    </Panel>
  );
}

function WatchRow({
  exchange,
  symbol,
  ticker,
  now,
  onRemove,
}: {
  exchange: string;
  symbol: string;
  ticker: Ticker | undefined;
  now: number;
  onRemove: () => void;
}) {
  const spread = spreadOf(ticker?.bid, ticker?.ask);
  const href = routeHref({ view: 'symbol', exchange, symbol, timeframe: '1m', exchanges: undefined });
  const ref = ticker?.last;
  return (
    <tr
      data-symbol={symbol}
      data-testid="watch-row"
      className="clickable"
      tabIndex={0}
      aria-keyshortcuts="Enter Delete ArrowUp ArrowDown"
      onClick={(event) => {
        // the whole row opens the symbol; links and buttons inside keep their own action
        if ((event.target as HTMLElement).closest('a, button')) return;
        navigateTo(href);
      }}
      onKeyDown={(event) => {
        if (event.target !== event.currentTarget) return;
        const row = event.currentTarget;
        if (event.key === 'Enter') navigateTo(href);
        else if (event.key === 'Delete' || event.key === 'Backspace') {
          const next = (row.nextElementSibling ?? row.previousElementSibling) as HTMLElement | null;
          onRemove();
          next?.focus();
        } else if (event.key === 'ArrowDown' || event.key === 'j') {
          (row.nextElementSibling as HTMLElement | null)?.focus();
        } else if (event.key === 'ArrowUp' || event.key === 'k') {
          (row.previousElementSibling as HTMLElement | null)?.focus();
        } else return;
        event.preventDefault();
      }}
    >
      <td className="left">
        <Link href={href} className="symbol-link">
          {symbol}
        </Link>
      </td>
      <td data-testid="last">
        <FlashPrice value={ticker?.last} />
      </td>
      <td>
        <Change value={ticker?.percentage} />
      </td>
      <td className="hide-narrow">
        <span className="num">{formatPrice(ticker?.bid, ref)}</span>
      </td>
      <td className="hide-narrow">
        <span className="num">{formatPrice(ticker?.ask, ref)}</span>
      </td>
      <td className="hide-narrow">
        <span className="num" title={spread ? formatPrice(spread.abs, ref) : undefined}>
          {formatBps(spread?.bps)}
        </span>
      </td>
      <td className="hide-narrow">
        <span className="num" title="24h volume in the quote currency">
          {formatCompact(ticker?.quoteVolume ?? ticker?.baseVolume)}
        </span>
      </td>
      <td className="hide-narrow muted">
        <span className="num">{formatAge(ticker?.timestamp ?? ticker?.fetchedAt, now)}</span>
      </td>
      <td className="actions">
        <button
          type="button"
          className="icon-button"
          aria-label={`Remove ${symbol}`}
          title={`Remove ${symbol} from the watchlist`}
          onClick={onRemove}
        >
          ×
        </button>
      </td>
    </tr>
  );
}
