import { useState } from 'react';
import { filterExchanges, useExchanges } from '../components/ExchangePicker';
import { Link } from '../components/Link';
import { MarketSearch } from '../components/MarketSearch';
import { SearchBox } from '../components/SearchBox';
import { ErrorNote, FlashPrice, Panel, SimBadge, Skeleton } from '../components/ui';
import { formatBps, formatPrice, spreadOf } from '../lib/format';
import { useLiveTickerAcross } from '../lib/live';
import { routeHref, useRoute } from '../lib/route';
import type { ExchangeInfo, Ticker } from '../lib/types';

/** Exchanges offered in the compare view when the URL names none (those the server allows). */
export const COMPARE_DEFAULTS = ['binance', 'okx', 'coinbase'];

export interface CompareRow {
  exchange: string;
  ticker: Ticker | undefined;
  /** Basis points between this bid and the best (highest) bid: 0 is best, negative is worse. */
  bidVsBest: number | undefined;
  /** Basis points between this ask and the best (lowest) ask: 0 is best, positive is worse. */
  askVsBest: number | undefined;
}

export function compareRows(entries: { exchange: string; ticker: Ticker | undefined }[]): CompareRow[] {
  const bids = entries.map((e) => e.ticker?.bid).filter((v): v is number => typeof v === 'number' && v > 0);
  const asks = entries.map((e) => e.ticker?.ask).filter((v): v is number => typeof v === 'number' && v > 0);
  const bestBid = bids.length > 0 ? Math.max(...bids) : undefined;
  const bestAsk = asks.length > 0 ? Math.min(...asks) : undefined;
  return entries.map(({ exchange, ticker }) => ({
    exchange,
    ticker,
    bidVsBest:
      bestBid !== undefined && typeof ticker?.bid === 'number'
        ? ((ticker.bid - bestBid) / bestBid) * 10_000
        : undefined,
    askVsBest:
      bestAsk !== undefined && typeof ticker?.ask === 'number'
        ? ((ticker.ask - bestAsk) / bestAsk) * 10_000
        : undefined,
  }));
}

export function CompareView({
  symbol,
  exchanges: fromUrl,
  defaultExchange,
}: {
  symbol: string;
  exchanges: string[] | undefined;
  defaultExchange: string;
}) {
  const [route, navigate] = useRoute();
  const list = useExchanges();
  const [query, setQuery] = useState('');
  const [adding, setAdding] = useState(false);
  const known = list.data ?? [];
  const defaults = [defaultExchange, ...COMPARE_DEFAULTS].filter(
    (id, i, all) => all.indexOf(id) === i && (known.length === 0 || known.some((e) => e.id === id)),
  );
  // until the list of allowed exchanges is known, start with the default one only
  const exchanges = fromUrl ?? (list.data ? defaults : [defaultExchange]);
  const live = useLiveTickerAcross(exchanges, symbol);
  const rows = compareRows(exchanges.map((exchange, i) => ({ exchange, ticker: live[i]?.data })));
  const info = (id: string) => known.find((e) => e.id === id);

  const setExchanges = (next: string[]) => navigate({ exchanges: next });
  const candidates = filterExchanges(
    known.filter((e) => !exchanges.includes(e.id)),
    query,
  ).slice(0, 60);

  return (
    <div className="compare-view">
      <Panel
        testId="compare"
        title={
          <>
            Compare <span className="symbol">{symbol}</span>
          </>
        }
        actions={
          <>
            <MarketSearch
              exchange={exchanges[0] ?? 'sim'}
              placeholder="Change symbol…"
              label="Symbol to compare"
              testId="compare-symbol"
              onPick={(s) => navigate({ symbol: s })}
            />
            {adding ? (
              <SearchBox<ExchangeInfo>
                query={query}
                onQuery={setQuery}
                items={candidates}
                itemKey={(e) => e.id}
                renderItem={(e) => (
                  <span className="market-option">
                    <span className="symbol">{e.name}</span>
                    <span className="muted">{e.id}</span>
                  </span>
                )}
                onPick={(e) => {
                  setAdding(false);
                  setQuery('');
                  setExchanges([...exchanges, e.id]);
                }}
                onClose={() => setAdding(false)}
                placeholder="Add exchange…"
                label="Add exchange"
                autoFocus
              />
            ) : (
              <button
                type="button"
                className="button"
                onClick={() => setAdding(true)}
                disabled={exchanges.length >= 12}
              >
                + Add exchange
              </button>
            )}
          </>
        }
      >
        <div className="table-scroll">
          <table className="grid compare-table">
            <thead>
              <tr>
                <th className="left">Exchange</th>
                <th>Last</th>
                <th>Bid</th>
                <th>Ask</th>
                <th className="hide-narrow">Spread</th>
                <th className="hide-narrow" title="Distance of this bid from the highest bid">
                  Bid vs best
                </th>
                <th className="hide-narrow" title="Distance of this ask from the lowest ask">
                  Ask vs best
                </th>
                <th aria-label="Actions" />
              </tr>
            </thead>
            <tbody>
              {rows.map((row, i) => {
                const state = live[i];
                const t = row.ticker;
                const spread = spreadOf(t?.bid, t?.ask);
                const simulated = info(row.exchange)?.simulated ?? row.exchange === 'sim';
                return (
                  <tr key={row.exchange} data-testid="compare-row" data-exchange={row.exchange}>
                    <td className="left">
                      <Link
                        href={routeHref({
                          view: 'symbol',
                          exchange: row.exchange,
                          symbol,
                          timeframe: route.timeframe,
                          exchanges: undefined,
                        })}
                        className="symbol-link"
                      >
                        {info(row.exchange)?.name ?? row.exchange}
                      </Link>{' '}
                      {simulated ? <SimBadge compact /> : null}
                    </td>
                    {state?.error && !t ? (
                      <td colSpan={6} className="left">
                        <ErrorNote error={state.error} subject={{ exchange: row.exchange, symbol }} compact />
                      </td>
                    ) : !t ? (
                      <td colSpan={6}>
                        <Skeleton height={12} />
                      </td>
                    ) : (
                      <>
                        <td>
                          <FlashPrice value={t.last} />
                        </td>
                        <td>
                          <span className="num">{formatPrice(t.bid, t.last)}</span>
                        </td>
                        <td>
                          <span className="num">{formatPrice(t.ask, t.last)}</span>
                        </td>
                        <td className="hide-narrow">
                          <span className="num">{formatBps(spread?.bps)}</span>
                        </td>
                        <td className="hide-narrow">
                          <VsBest bps={row.bidVsBest} />
                        </td>
                        <td className="hide-narrow">
                          <VsBest bps={row.askVsBest} />
                        </td>
                      </>
                    )}
                    <td className="actions">
                      <button
                        type="button"
                        className="icon-button"
                        aria-label={`Remove ${row.exchange}`}
                        title={`Remove ${row.exchange} from the comparison`}
                        onClick={() => setExchanges(exchanges.filter((e) => e !== row.exchange))}
                        disabled={exchanges.length <= 1}
                      >
                        ×
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
        {list.error ? <ErrorNote error={list.error} compact /> : null}
      </Panel>
    </div>
  );
}

function VsBest({ bps }: { bps: number | undefined }) {
  if (bps === undefined) return <span className="num muted">—</span>;
  if (Math.abs(bps) < 0.005) return <span className="best">best</span>;
  return <span className="num muted">{formatBps(bps)}</span>;
}
