import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConnectionTracker, OFFLINE_AFTER_MS } from './connection';

describe('ConnectionTracker', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('goes connecting → live → reconnecting → offline → live', () => {
    const tracker = new ConnectionTracker();
    const seen: string[] = [];
    tracker.subscribe(() => seen.push(tracker.get().status));
    const recovered = vi.fn();
    tracker.onRecovered(recovered);

    expect(tracker.get().status).toBe('connecting');
    tracker.ok();
    tracker.ok();
    expect(tracker.get().status).toBe('live');

    tracker.failed();
    expect(tracker.get().status).toBe('reconnecting');
    vi.advanceTimersByTime(OFFLINE_AFTER_MS - 1);
    tracker.failed();
    expect(tracker.get().status).toBe('reconnecting');
    vi.advanceTimersByTime(1);
    expect(tracker.get().status).toBe('offline');

    tracker.ok();
    expect(tracker.get().status).toBe('live');
    expect(recovered).toHaveBeenCalledTimes(1);
    expect(seen).toEqual(['live', 'reconnecting', 'offline', 'live']);
  });

  it('stays reconnecting while the WebSocket fails, even when HTTP answers', () => {
    const tracker = new ConnectionTracker();
    tracker.ok('http');
    tracker.failed('ws');
    tracker.ok('http');
    expect(tracker.get().status).toBe('reconnecting');
    vi.advanceTimersByTime(OFFLINE_AFTER_MS * 2);
    // HTTP still answers: degraded, not offline
    expect(tracker.get().status).toBe('reconnecting');
    tracker.ok('ws');
    expect(tracker.get().status).toBe('live');
  });

  it('does not report recovery on the first connection, and follows the browser going offline', () => {
    const tracker = new ConnectionTracker();
    const recovered = vi.fn();
    tracker.onRecovered(recovered);
    tracker.ok();
    expect(recovered).not.toHaveBeenCalled();

    tracker.setBrowserOnline(false);
    expect(tracker.get().status).toBe('offline');
    tracker.setBrowserOnline(true);
    expect(tracker.get().status).toBe('live');
  });
});
