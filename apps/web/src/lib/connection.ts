import { useSyncExternalStore } from 'react';

/**
 * Connection state shown in the header: live / reconnecting / offline. Fed by every HTTP answer
 * (any answer, even an error with a reason, proves the server is up; a network failure does not)
 * and by the WebSocket's own state while live streams are open.
 */

export type ConnectionStatus = 'connecting' | 'live' | 'reconnecting' | 'offline';

/** After this long without reaching the server, "reconnecting" turns into "offline". */
export const OFFLINE_AFTER_MS = 20_000;

export interface ConnectionSnapshot {
  status: ConnectionStatus;
  /** Since when the server has been unreachable (ms). */
  failingSince: number | undefined;
}

export class ConnectionTracker {
  private snapshot: ConnectionSnapshot = {
    status: 'connecting',
    failingSince: undefined,
  };
  private readonly listeners = new Set<() => void>();
  private readonly recoveryListeners = new Set<() => void>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private browserOnline = true;

  constructor(private readonly now: () => number = Date.now) {}

  get = (): ConnectionSnapshot => this.snapshot;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Called once when the server is reached again after being lost (to refetch what failed). */
  onRecovered(listener: () => void): () => void {
    this.recoveryListeners.add(listener);
    return () => this.recoveryListeners.delete(listener);
  }

  /** The server answered. */
  ok(): void {
    const wasDown = this.snapshot.status === 'reconnecting' || this.snapshot.status === 'offline';
    this.clearTimer();
    this.set({ status: this.browserOnline ? 'live' : 'offline', failingSince: undefined });
    if (wasDown) for (const listener of this.recoveryListeners) listener();
  }

  /** The server could not be reached (network error, socket closed). */
  failed(): void {
    const failingSince = this.snapshot.failingSince ?? this.now();
    const offline = !this.browserOnline || this.now() - failingSince >= OFFLINE_AFTER_MS;
    this.set({ ...this.snapshot, status: offline ? 'offline' : 'reconnecting', failingSince });
    if (!offline && this.timer === undefined) {
      this.timer = setTimeout(
        () => {
          this.timer = undefined;
          if (this.snapshot.failingSince !== undefined) this.set({ ...this.snapshot, status: 'offline' });
        },
        Math.max(0, failingSince + OFFLINE_AFTER_MS - this.now()),
      );
    }
  }

  /** The browser's own network state (navigator.onLine). */
  setBrowserOnline(online: boolean): void {
    this.browserOnline = online;
    if (!online)
      this.set({
        ...this.snapshot,
        status: 'offline',
        failingSince: this.snapshot.failingSince ?? this.now(),
      });
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private set(next: ConnectionSnapshot): void {
    const prev = this.snapshot;
    if (prev.status === next.status && prev.failingSince === next.failingSince) return;
    this.snapshot = next;
    for (const listener of this.listeners) listener();
  }
}

export function useConnection(tracker: ConnectionTracker): ConnectionSnapshot {
  return useSyncExternalStore(tracker.subscribe, tracker.get, tracker.get);
}
