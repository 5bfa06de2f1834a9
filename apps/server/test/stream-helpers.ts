import { Writable } from 'node:stream';
import type { ExchangeSource } from '@marketgate/market-core';
import { createServer } from '../src/app.js';
import type { ServerOptions } from '../src/app.js';
import { configFrom } from '../src/config.js';
import { createLogger } from '../src/logger.js';

export interface StreamTestServer {
  url: string;
  server: ReturnType<typeof createServer>;
  logLines: Record<string, unknown>[];
  /** The same lines, awaitable. */
  logs: Collector<Record<string, unknown>>;
  close(): Promise<void>;
}

/** The real server on 127.0.0.1:0 with JSON logs captured. */
export async function startStreamServer(
  env: Record<string, string> = {},
  createSource?: (id: string) => ExchangeSource | undefined,
  extra: Pick<ServerOptions, 'streaming'> = {},
): Promise<StreamTestServer> {
  const config = configFrom({
    MCP_PORT: '0',
    MCP_RATE_LIMIT_REQUESTS: '100000',
    MCP_LOG_LEVEL: 'info',
    MCP_LOG_FORMAT: 'json',
    ...env,
  });
  const logs = new Collector<Record<string, unknown>>();
  const logLines = logs.items;
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n'))
        if (line) logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const server = createServer({
    config,
    log: createLogger(config, sink),
    service: createSource ? { createSource } : {},
    ...extra,
  });
  const url = await server.listen();
  return { url, server, logLines, logs, close: () => server.close() };
}

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
