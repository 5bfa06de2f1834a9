import type { ConnectionTracker } from '../lib/connection';
import { useConnection } from '../lib/connection';

const LABELS = {
  connecting: 'Connecting',
  live: 'Live',
  reconnecting: 'Reconnecting',
  offline: 'Offline',
} as const;

const TITLES = {
  connecting: 'Connecting to the server',
  live: 'Connected: data is live',
  reconnecting: 'Lost the server: retrying, data on screen may be stale',
  offline: 'The server has been unreachable for a while: still retrying',
} as const;

export function ConnectionIndicator({ tracker }: { tracker: ConnectionTracker }) {
  const { status } = useConnection(tracker);
  return (
    <div
      className={`connection connection-${status}`}
      role="status"
      aria-live="polite"
      title={TITLES[status]}
      data-testid="connection"
      data-status={status}
    >
      <span className="dot" aria-hidden="true" />
      <span className="connection-label">{LABELS[status]}</span>
    </div>
  );
}
