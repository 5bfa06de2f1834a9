import { useSyncExternalStore } from 'react';

/**
 * Connection state shown in the header: live / reconnecting / offline. Fed by every HTTP answer
 * (any answer, even an error with a reason, proves the server is up; a network failure does not)
 * and by the WebSocket that carries the live streams. Each source is tracked on its own, so a
 * working HTTP poll does not hide a WebSocket that keeps failing (and the label does not flicker).
 */

export type ConnectionStatus = 'connecting' | 'live' | 'reconnecting' | 'offline';
export type ConnectionSource = 'http' | 'ws';

/** After this long without reaching the server, "reconnecting" turns into "offline". */
export const OFFLINE_AFTER_MS = 20_000;

export interface ConnectionSnapshot {
  status: ConnectionStatus;
  /** Since when the server has been unreachable (ms), by the source that failed first. */
  failingSince: number | undefined;
}

export class ConnectionTracker {
  private snapshot: ConnectionSnapshot = { status: 'connecting', failingSince: undefined };
  private readonly down = new Map<ConnectionSource, number>();
  private everUp = false;
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

  /** Called when the server is reached again after being lost (to refetch what failed). */
  onRecovered(listener: () => void): () => void {
    this.recoveryListeners.add(listener);
    return () => this.recoveryListeners.delete(listener);
  }

  /** The server answered over `source`. */
  ok(source: ConnectionSource = 'http'): void {
    const wasDown = this.snapshot.status === 'reconnecting' || this.snapshot.status === 'offline';
    this.everUp = true;
    this.down.delete(source);
    this.update();
    if (wasDown && this.snapshot.status === 'live') for (const listener of this.recoveryListeners) listener();
  }

  /** The server could not be reached over `source` (network error, socket closed). */
  failed(source: ConnectionSource = 'http'): void {
    if (!this.down.has(source)) this.down.set(source, this.now());
    this.update();
  }

  /** The browser's own network state (navigator.onLine). */
  setBrowserOnline(online: boolean): void {
    this.browserOnline = online;
    this.update();
  }

  private update(): void {
    const failingSince = this.down.size > 0 ? Math.min(...this.down.values()) : undefined;
    const httpDownSince = this.down.get('http');
    let status: ConnectionStatus;
    if (!this.browserOnline) status = 'offline';
    else if (failingSince === undefined) status = this.everUp ? 'live' : 'connecting';
    else if (httpDownSince !== undefined && this.now() - httpDownSince >= OFFLINE_AFTER_MS)
      status = 'offline';
    else status = 'reconnecting';

    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (status === 'reconnecting' && httpDownSince !== undefined) {
      this.timer = setTimeout(
        () => this.update(),
        Math.max(0, httpDownSince + OFFLINE_AFTER_MS - this.now()),
      );
    }
    this.set({ status, failingSince });
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
