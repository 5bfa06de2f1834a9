import { useQuery } from '@tanstack/react-query';
import { formatAmount, formatClock, formatPrice } from '../lib/format';
import { pollEvery, POLL_MS } from '../lib/live';
import { useTRPC } from '../lib/trpc';
import { ErrorNote, Panel, SkeletonRows } from './ui';

export function TradesPanel({ exchange, symbol }: { exchange: string; symbol: string }) {
  const trpc = useTRPC();
  const trades = useQuery({
    ...trpc.market.trades.queryOptions({ exchange, symbol, limit: 30 }),
    refetchInterval: pollEvery(POLL_MS.trades),
  });
  // newest first
  const rows = [...(trades.data ?? [])].sort((a, b) => (b.timestamp ?? 0) - (a.timestamp ?? 0));
  const ref = rows[0]?.price;
  return (
    <Panel title="Recent trades" className="trades" testId="trades">
      {trades.error ? <ErrorNote error={trades.error} subject={{ exchange, symbol }} compact /> : null}
      <table className="grid">
        <thead>
          <tr>
            <th className="left">Time</th>
            <th>Price</th>
            <th>Amount</th>
          </tr>
        </thead>
        <tbody>
          {trades.isPending && !trades.error ? (
            <SkeletonRows rows={8} columns={3} />
          ) : (
            rows.map((t, i) => (
              <tr key={t.id ?? `${t.timestamp}-${i}`}>
                <td className="left num muted">{formatClock(t.timestamp)}</td>
                <td className={`num ${t.side === 'buy' ? 'up' : t.side === 'sell' ? 'down' : ''}`}>
                  {formatPrice(t.price, ref)}
                </td>
                <td className="num">{formatAmount(t.amount)}</td>
              </tr>
            ))
          )}
        </tbody>
      </table>
    </Panel>
  );
}
