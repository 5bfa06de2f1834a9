export interface UpstreamCallEvent {
  exchange: string;
  method: string;
  durationMs: number;
  ok: boolean;
  error?: unknown;
}

/** Hook for metrics: told about every upstream request. */
export interface UpstreamObserver {
  onUpstreamCall?(event: UpstreamCallEvent): void;
}

/** Upstream request counts per exchange since start (system.stats). */
export class UpstreamCounters {
  private readonly calls = new Map<string, number>();

  constructor(private readonly observer?: UpstreamObserver) {}

  async time<T>(exchange: string, method: string, fn: () => Promise<T>): Promise<T> {
    this.calls.set(exchange, (this.calls.get(exchange) ?? 0) + 1);
    const start = performance.now();
    try {
      const result = await fn();
      this.observer?.onUpstreamCall?.({ exchange, method, durationMs: performance.now() - start, ok: true });
      return result;
    } catch (error) {
      this.observer?.onUpstreamCall?.({
        exchange,
        method,
        durationMs: performance.now() - start,
        ok: false,
        error,
      });
      throw error;
    }
  }

  upstreamCalls(): Record<string, number> {
    return Object.fromEntries(this.calls);
  }

  total(): number {
    let sum = 0;
    for (const n of this.calls.values()) sum += n;
    return sum;
  }
}
