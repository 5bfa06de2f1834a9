/** Collects values and lets a test await the n-th one (or any predicate) instead of sleeping. */
export class Collector<T> {
  readonly items: T[] = [];
  private waiters: { check: () => boolean; resolve: () => void }[] = [];
  error: unknown;

  push = (item: T): void => {
    this.items.push(item);
    this.flush();
  };

  fail = (error: unknown): void => {
    this.error = error;
    this.flush();
  };

  private flush(): void {
    this.waiters = this.waiters.filter((w) => {
      if (!w.check()) return true;
      w.resolve();
      return false;
    });
  }

  until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`timed out with ${this.items.length} items (error: ${String(this.error)})`)),
        timeoutMs,
      );
      this.waiters.push({
        check,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  count(n: number, timeoutMs?: number): Promise<void> {
    return this.until(() => this.items.length >= n, timeoutMs);
  }

  errored(timeoutMs?: number): Promise<void> {
    return this.until(() => this.error !== undefined, timeoutMs);
  }
}
