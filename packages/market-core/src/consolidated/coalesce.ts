/** stream.consolidatedBook sends at most this many updates a second. */
export const CONSOLIDATED_BOOK_MAX_PER_SECOND = 4;

/** The clock and timers a coalescer runs on; injectable so tests drive time by hand. */
export interface CoalescerTimers {
  /** Monotonic ms. */
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemTimers: CoalescerTimers = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface CoalescerOptions<T> {
  /** Upper bound of deliveries per second (> 0). */
  maxPerSecond: number;
  deliver: (value: T) => void;
  /** What `deliver` threw; a throwing consumer never escapes into a timer callback. */
  onError: (error: unknown) => void;
  timers?: CoalescerTimers;
}

export interface Coalescer<T> {
  /** Offer the newest state: delivered now when the rate allows, else once, later, if still the newest. */
  push(value: T): void;
  /** Drop what is pending and clear the timer; later pushes are ignored. */
  stop(): void;
  /** Whether a state is waiting for its turn. */
  readonly pending: boolean;
}

/**
 * Rate-limits a stream of states to `maxPerSecond` deliveries, at least 1000 / maxPerSecond ms
 * apart, keeping only the newest: the first state after a quiet spell goes out at once (leading
 * edge) and the newest one of a burst goes out when its turn comes (trailing edge), so the last
 * state is never lost. At most one timer is armed at any time, none after `stop()`.
 */
export function createCoalescer<T>(options: CoalescerOptions<T>): Coalescer<T> {
  const { maxPerSecond, deliver, onError } = options;
  if (!(Number.isFinite(maxPerSecond) && maxPerSecond > 0))
    throw new RangeError(`maxPerSecond must be a positive number, got ${maxPerSecond}`);
  const timers = options.timers ?? systemTimers;
  const gapMs = 1000 / maxPerSecond;
  let lastDelivery = -Infinity;
  let timer: unknown;
  let armed = false;
  let waiting = false;
  let latest: T | undefined;
  let stopped = false;

  const flush = (): void => {
    const value = latest as T;
    latest = undefined;
    waiting = false;
    lastDelivery = timers.now();
    try {
      deliver(value);
    } catch (error) {
      onError(error);
    }
  };

  const fire = (): void => {
    armed = false;
    timer = undefined;
    if (!stopped && waiting) flush();
  };

  return {
    push(value) {
      if (stopped) return;
      latest = value;
      waiting = true;
      if (armed) return;
      const wait = lastDelivery + gapMs - timers.now();
      if (wait <= 0) flush();
      else {
        armed = true;
        timer = timers.setTimeout(fire, wait);
      }
    },
    stop() {
      stopped = true;
      waiting = false;
      latest = undefined;
      if (armed) timers.clearTimeout(timer);
      armed = false;
      timer = undefined;
    },
    get pending() {
      return waiting;
    },
  };
}
