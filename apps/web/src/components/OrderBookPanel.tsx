import { useMemo } from 'react';
import { formatAmount, formatBps, formatPrice, spreadOf } from '../lib/format';
import { useLiveOrderBook } from '../lib/live';
import type { OrderBook } from '../lib/types';
import { ErrorNote, Panel, Skeleton } from './ui';

const LEVELS = 12;

export interface BookSide {
  price: number;
  amount: number;
  total: number;
  /** Cumulative depth relative to the deeper side, 0..1. */
  depth: number;
}

/** The top `levels` of each side with cumulative totals; asks nearest-first like bids. */
export function bookSides(book: OrderBook, levels: number): { bids: BookSide[]; asks: BookSide[] } {
  const cumulate = (side: [number, number][]) => {
    let total = 0;
    return side.slice(0, levels).map(([price, amount]) => {
      total += amount;
      return { price, amount, total, depth: 0 };
    });
  };
  const bids = cumulate(book.bids);
  const asks = cumulate(book.asks);
  const max = Math.max(bids[bids.length - 1]?.total ?? 0, asks[asks.length - 1]?.total ?? 0, Number.EPSILON);
  for (const level of [...bids, ...asks]) level.depth = level.total / max;
  return { bids, asks };
}

export function OrderBookPanel({ exchange, symbol }: { exchange: string; symbol: string }) {
  const live = useLiveOrderBook(exchange, symbol, 20);
  const book = live.data;
  const sides = useMemo(() => (book ? bookSides(book, LEVELS) : null), [book]);
  const spread = spreadOf(book?.bids[0]?.[0], book?.asks[0]?.[0]);
  const ref = spread?.mid ?? book?.bids[0]?.[0];

  return (
    <Panel title="Order book" className="orderbook" testId="orderbook">
      {live.error ? <ErrorNote error={live.error} subject={{ exchange, symbol }} compact /> : null}
      {!sides ? (
        live.error ? null : (
          <div className="book-skeleton" aria-busy="true">
            {Array.from({ length: 10 }, (_, i) => (
              <Skeleton key={i} height={12} />
            ))}
          </div>
        )
      ) : (
        <table className="grid book">
          <thead>
            <tr>
              <th className="left">Price</th>
              <th>Amount</th>
              <th>Total</th>
            </tr>
          </thead>
          <tbody className="asks">
            {[...sides.asks].reverse().map((level) => (
              <Level key={`a${level.price}`} level={level} side="ask" reference={ref} />
            ))}
          </tbody>
          <tbody>
            <tr className="book-mid" data-testid="book-mid">
              <td className="left">
                <span className="num strong">{formatPrice(spread?.mid, ref)}</span>
                <span className="muted"> mid</span>
              </td>
              <td colSpan={2}>
                <span className="muted">spread </span>
                <span className="num">{formatPrice(spread?.abs, ref)}</span>
                <span className="muted"> · {formatBps(spread?.bps)}</span>
              </td>
            </tr>
          </tbody>
          <tbody className="bids">
            {sides.bids.map((level) => (
              <Level key={`b${level.price}`} level={level} side="bid" reference={ref} />
            ))}
          </tbody>
        </table>
      )}
    </Panel>
  );
}

function Level({
  level,
  side,
  reference,
}: {
  level: BookSide;
  side: 'bid' | 'ask';
  reference: number | undefined;
}) {
  const color = side === 'bid' ? 'rgba(63,182,139,0.13)' : 'rgba(229,83,75,0.13)';
  const width = `${(level.depth * 100).toFixed(1)}%`;
  return (
    <tr
      className={`level ${side}`}
      data-testid="book-level"
      style={{ background: `linear-gradient(to left, ${color} ${width}, transparent ${width})` }}
    >
      <td className={`left num ${side === 'bid' ? 'up' : 'down'}`}>{formatPrice(level.price, reference)}</td>
      <td className="num">{formatAmount(level.amount)}</td>
      <td className="num muted">{formatAmount(level.total)}</td>
    </tr>
  );
}
