import type { FeedListener, FeedUpdate } from './types.js';

/** Closed candles kept per key for a consumer that is behind; older ones are dropped beyond this. */
const MAX_STICKY_PER_KEY = 4;

/**
 * A subscriber's view of one or more feeds as an async iterator. It holds only the newest update
 * per key (plus a few closed candles): a consumer that falls behind skips straight to the newest
 * value, and memory per subscriber stays bounded whatever the upstream rate.
 */
export class FeedSubscription implements AsyncIterableIterator<FeedUpdate> {
  private pending: FeedUpdate[] = [];
  private waiter: ((result: IteratorResult<FeedUpdate>) => void) | undefined;
  private failWaiter: ((error: Error) => void) | undefined;
  private error: Error | undefined;
  private done = false;
  private released = false;
  private readonly detachers: (() => void)[] = [];
  private readonly onAbort = () => this.close();
  /** Updates dropped because a newer one of the same key arrived first. */
  skipped = 0;

  constructor(
    attach: (listener: FeedListener) => (() => void)[],
    private readonly signal?: AbortSignal,
    private readonly onClose?: () => void,
  ) {
    const listener: FeedListener = {
      onUpdate: (update) => this.push(update),
      onEnd: (error) => this.fail(error),
    };
    this.detachers = attach(listener);
    if (signal?.aborted) this.close();
    else signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  private push(update: FeedUpdate): void {
    if (this.done) return;
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = undefined;
      this.failWaiter = undefined;
      waiter({ value: update, done: false });
      return;
    }
    let sticky = 0;
    const kept: FeedUpdate[] = [];
    for (const p of this.pending) {
      if (p.key !== update.key) kept.push(p);
      else if (p.sticky) {
        kept.push(p);
        sticky++;
      } else this.skipped++;
    }
    if (sticky >= MAX_STICKY_PER_KEY) {
      const i = kept.findIndex((p) => p.key === update.key);
      kept.splice(i, 1);
      this.skipped++;
    }
    kept.push(update);
    this.pending = kept;
  }

  private fail(error: Error): void {
    if (this.done) return;
    this.error = error;
    this.release();
    const failWaiter = this.failWaiter;
    this.waiter = undefined;
    this.failWaiter = undefined;
    failWaiter?.(error);
  }

  /** Updates waiting to be read (for tests and gauges). */
  get backlog(): number {
    return this.pending.length;
  }

  next(): Promise<IteratorResult<FeedUpdate>> {
    const value = this.pending.shift();
    if (value) return Promise.resolve({ value, done: false });
    if (this.error) {
      const error = this.error;
      this.error = undefined;
      this.done = true;
      return Promise.reject(error);
    }
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiter = resolve;
      this.failWaiter = reject;
    });
  }

  return(): Promise<IteratorResult<FeedUpdate>> {
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Detaches from every feed (the last subscriber of a feed stops it) and ends the iteration. */
  close(): void {
    if (this.done) return;
    this.done = true;
    this.pending = [];
    this.release();
    const waiter = this.waiter;
    this.waiter = undefined;
    this.failWaiter = undefined;
    waiter?.({ value: undefined, done: true });
  }

  private release(): void {
    if (this.released) return;
    this.released = true;
    this.signal?.removeEventListener('abort', this.onAbort);
    for (const detach of this.detachers.splice(0)) detach();
    this.onClose?.();
  }
}
