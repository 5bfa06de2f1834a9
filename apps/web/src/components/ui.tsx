import type { ReactNode } from 'react';
import { describeError } from '../lib/errors';
import type { ErrorSubject } from '../lib/errors';
import { direction, formatPercent, formatPrice } from '../lib/format';
import { useFlash } from '../lib/hooks';

export function SimBadge({ compact = false }: { compact?: boolean }) {
  return (
    <span className="badge badge-sim" title="Simulated data: not a real market">
      {compact ? 'SIM' : 'SIMULATED'}
    </span>
  );
}

/** A price that flashes green or red when it moves. */
export function FlashPrice({
  value,
  reference,
  className = '',
}: {
  value: number | null | undefined;
  reference?: number | null | undefined;
  className?: string;
}) {
  const { flash, tick } = useFlash(value);
  return (
    <span
      key={tick}
      className={`num ${flash ? `flash-${flash}` : ''} ${className}`}
      data-flash={flash ?? undefined}
    >
      {formatPrice(value, reference)}
    </span>
  );
}

export function Change({ value }: { value: number | null | undefined }) {
  const dir = direction(value);
  return <span className={`num ${dir > 0 ? 'up' : dir < 0 ? 'down' : 'flat'}`}>{formatPercent(value)}</span>;
}

export function ErrorNote({
  error,
  subject,
  compact = false,
}: {
  error: unknown;
  subject?: ErrorSubject;
  compact?: boolean;
}) {
  return (
    <div className={compact ? 'error-note compact' : 'error-note'} role="alert">
      {describeError(error, subject)}
    </div>
  );
}

export function Skeleton({ width = '100%', height = 12 }: { width?: number | string; height?: number }) {
  return <span className="skeleton" style={{ width, height }} aria-hidden="true" />;
}

export function SkeletonRows({ rows, columns }: { rows: number; columns: number }) {
  return (
    <>
      {Array.from({ length: rows }, (_, r) => (
        <tr key={r} className="skeleton-row" aria-hidden="true">
          {Array.from({ length: columns }, (_, c) => (
            <td key={c}>
              <Skeleton width={c === 0 ? '70%' : '55%'} />
            </td>
          ))}
        </tr>
      ))}
    </>
  );
}

export function Panel({
  title,
  actions,
  children,
  className = '',
  testId,
}: {
  title: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
  className?: string;
  testId?: string;
}) {
  return (
    <section className={`panel ${className}`} data-testid={testId}>
      <header className="panel-head">
        <h2>{title}</h2>
        {actions ? <div className="panel-actions">{actions}</div> : null}
      </header>
      <div className="panel-body">{children}</div>
    </section>
  );
}
