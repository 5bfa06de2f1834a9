import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { ErrorNote, Panel, Skeleton } from '../components/ui';
import { formatDuration, formatInteger, formatPercent } from '../lib/format';
import { useTRPC } from '../lib/trpc';

/** Cache hit rate in percent, or null before the first lookup. */
export function hitRate(hits: number, misses: number): number | null {
  const total = hits + misses;
  return total === 0 ? null : (hits / total) * 100;
}

export function StatusView() {
  const trpc = useTRPC();
  const health = useQuery({ ...trpc.system.health.queryOptions(), refetchInterval: 2_000 });
  const stats = useQuery({ ...trpc.system.stats.queryOptions(), refetchInterval: 2_000 });
  const s = stats.data;
  const h = health.data;
  const rate = s ? hitRate(s.cache.hits, s.cache.misses) : null;
  const calls = Object.entries(s?.upstream.calls ?? {}).sort((a, b) => b[1] - a[1]);
  const feeds = Object.entries(s?.feeds.modes ?? {}).sort((a, b) => a[0].localeCompare(b[0]));

  return (
    <div className="status-view" data-testid="status">
      {health.error || stats.error ? <ErrorNote error={health.error ?? stats.error} /> : null}
      <div className="cards">
        <Card label="Health" testId="stat-health">
          {h ? <span className={h.status === 'ok' ? 'up' : 'warn'}>{h.status.toUpperCase()}</span> : null}
        </Card>
        <Card label="Uptime" testId="stat-uptime">
          {h ? formatDuration(h.uptimeS) : null}
        </Card>
        <Card
          label="Cache hit rate"
          testId="stat-hit-rate"
          sub={
            s ? `${formatInteger(s.cache.hits)} hits · ${formatInteger(s.cache.misses)} misses` : undefined
          }
        >
          {s ? (rate === null ? '—' : formatPercent(rate, 1).replace('+', '')) : null}
        </Card>
        <Card label="Cache entries" testId="stat-cache-size">
          {s ? formatInteger(s.cache.size) : null}
        </Card>
        <Card
          label="Live feeds"
          testId="stat-feeds"
          sub={s ? `${formatInteger(s.feeds.subscribers)} subscribers` : undefined}
        >
          {s ? formatInteger(s.feeds.active) : null}
        </Card>
        <Card label="Rate-limited requests" testId="stat-rate-limited">
          {s ? formatInteger(s.rateLimited) : null}
        </Card>
      </div>
      <Panel title="Upstream calls per exchange" testId="upstream-calls">
        {!s ? (
          <Skeleton height={12} />
        ) : calls.length === 0 ? (
          <p className="empty">No upstream calls yet.</p>
        ) : (
          <table className="grid">
            <thead>
              <tr>
                <th className="left">Exchange</th>
                <th>Calls</th>
              </tr>
            </thead>
            <tbody>
              {calls.map(([exchange, count]) => (
                <tr key={exchange}>
                  <td className="left">{exchange}</td>
                  <td className="num">{formatInteger(count)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Panel>
      <Panel title="Live feeds" testId="live-feeds">
        {!s ? (
          <Skeleton height={12} />
        ) : feeds.length === 0 ? (
          <p className="empty">
            No live feed is running: feeds start with the first subscriber and stop with the last.
          </p>
        ) : (
          <table className="grid">
            <thead>
              <tr>
                <th className="left">Feed</th>
                <th>Mode</th>
              </tr>
            </thead>
            <tbody>
              {feeds.slice(0, 100).map(([key, mode]) => (
                <tr key={key}>
                  <td className="left">{key}</td>
                  <td className="muted">{mode}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Panel>
      {h ? (
        <p className="muted small">
          Server v{h.version} · clock {new Date(h.now).toISOString().replace('T', ' ').slice(0, 19)} UTC ·
          refreshed every 2s
        </p>
      ) : null}
    </div>
  );
}

function Card({
  label,
  children,
  sub,
  testId,
}: {
  label: string;
  children: ReactNode;
  sub?: string | undefined;
  testId: string;
}) {
  return (
    <div className="card" data-testid={testId}>
      <div className="card-label">{label}</div>
      <div className="card-value num">{children ?? <Skeleton width={80} height={20} />}</div>
      {sub ? <div className="card-sub muted num">{sub}</div> : null}
    </div>
  );
}
