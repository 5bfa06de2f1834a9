import { EventEmitter } from 'node:events';
import { Redis } from 'ioredis';
import type { RedisOptions } from 'ioredis';
import type { Logger } from '../logger.js';

export interface RedisLinkOptions {
  url: string;
  log: Logger;
  /** A command without an answer within this fails (and the caller falls back to memory). Default 1000 ms. */
  commandTimeoutMs?: number;
  /** Longest pause between reconnection attempts while Redis is away. Default 1000 ms. */
  maxReconnectDelayMs?: number;
  /**
   * A PING this often (default 1000 ms): two failing in a row (a Redis that accepts connections but
   * does not answer, e.g. frozen or behind a dead network path) drop both connections, so the
   * instance goes degraded and commands fail at once instead of each waiting for the timeout.
   */
  pingMs?: number;
}

/** The URL without its password, for logs. */
function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'redis://?';
  }
}

/**
 * The two ioredis connections of an instance (commands, and pub/sub which Redis puts in a mode of
 * its own), tuned so that no request waits on a dead Redis: no offline queue (a command while
 * disconnected fails at once), a short command timeout, one retry per request at most, and
 * reconnection forever in the background. `up` says whether both are ready; 'up'/'down' events
 * mark the transitions.
 */
export class RedisLink extends EventEmitter<{ up: []; down: [] }> {
  readonly client: Redis;
  readonly sub: Redis;
  private wasUp = false;
  private closing = false;
  private lastError = '';
  private readonly channels = new Set<string>();
  private readonly handlers = new Map<string, (message: string) => void>();
  private readonly pinger: ReturnType<typeof setInterval>;
  private pingFailures = 0;
  private pinging = false;

  constructor(private readonly options: RedisLinkOptions) {
    super();
    const maxDelay = options.maxReconnectDelayMs ?? 1_000;
    const common: RedisOptions = {
      enableOfflineQueue: false,
      commandTimeout: options.commandTimeoutMs ?? 1_000,
      maxRetriesPerRequest: 1,
      connectTimeout: 2_000,
      retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 5), maxDelay),
      lazyConnect: false,
    };
    this.client = new Redis(options.url, { ...common, connectionName: 'marketgate' });
    this.sub = new Redis(options.url, {
      ...common,
      connectionName: 'marketgate-sub',
      autoResubscribe: false,
    });
    for (const conn of [this.client, this.sub]) {
      conn.on('ready', () => this.check());
      conn.on('close', () => this.check());
      conn.on('end', () => this.check());
      conn.on('error', (error: Error) => {
        // ioredis reports every failed reconnection: warn once per outage (a wrong MCP_REDIS_URL
        // shows at start), then each distinct message at debug
        if (error.message === this.lastError || this.closing) return;
        const first = this.lastError === '';
        this.lastError = error.message;
        if (first)
          options.log.warn(
            { err: error, redis: redactUrl(options.url) },
            'redis connection error: serving from this instance alone until it connects',
          );
        else options.log.debug({ err: error }, 'redis connection error');
      });
    }
    this.sub.on('ready', () => this.resubscribe());
    this.sub.on('message', (channel: string, message: string) => this.handlers.get(channel)?.(message));
    this.pinger = setInterval(() => void this.ping(), options.pingMs ?? 1_000);
    this.pinger.unref();
  }

  private async ping(): Promise<void> {
    if (this.pinging || this.closing || this.client.status !== 'ready') return;
    this.pinging = true;
    try {
      await this.client.ping();
      this.pingFailures = 0;
    } catch {
      if (++this.pingFailures >= 2 && !this.closing) {
        this.pingFailures = 0;
        this.options.log.warn('redis does not answer: reconnecting');
        // reconnect both: until Redis answers again they are not ready, so nothing waits on them
        this.client.disconnect(true);
        this.sub.disconnect(true);
      }
    } finally {
      this.pinging = false;
    }
  }

  /** Both connections ready. */
  get up(): boolean {
    return this.client.status === 'ready' && this.sub.status === 'ready';
  }

  /** Why the instance is degraded, for /readyz and system.health. */
  degraded(): string[] {
    return this.up ? [] : ['redis unreachable: serving from this instance alone'];
  }

  private check(): void {
    const up = this.up;
    if (up === this.wasUp || this.closing) return;
    this.wasUp = up;
    if (up) {
      this.lastError = '';
      this.options.log.info('redis connected: cache, rate limits, upstream budget and feeds are shared');
      this.emit('up');
    } else {
      this.options.log.warn('redis unreachable: serving from this instance alone until it returns');
      this.emit('down');
    }
  }

  /** Subscribes `channel` (now if connected, else on every reconnection). */
  subscribe(channel: string, handler: (message: string) => void): void {
    this.handlers.set(channel, handler);
    this.channels.add(channel);
    if (this.sub.status === 'ready') this.sub.subscribe(channel).catch(() => undefined);
  }

  unsubscribe(channel: string): void {
    this.handlers.delete(channel);
    if (!this.channels.delete(channel)) return;
    if (this.sub.status === 'ready') this.sub.unsubscribe(channel).catch(() => undefined);
  }

  private resubscribe(): void {
    if (this.channels.size > 0) this.sub.subscribe(...this.channels).catch(() => undefined);
  }

  /** Resolves once both connections are ready (or rejects after `timeoutMs`). */
  ready(timeoutMs = 5_000): Promise<void> {
    if (this.up) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('up', onUp);
        reject(new Error(`redis not ready within ${timeoutMs} ms`));
      }, timeoutMs);
      const onUp = () => {
        clearTimeout(timer);
        resolve();
      };
      this.once('up', onUp);
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.pinger);
    await Promise.all(
      [this.client, this.sub].map(async (conn) => {
        try {
          if (conn.status === 'ready') await conn.quit();
          else conn.disconnect();
        } catch {
          conn.disconnect();
        }
      }),
    );
  }

  /** Drops both connections without a goodbye (a crashed instance, in tests): leases are left to expire. */
  kill(): void {
    this.closing = true;
    clearInterval(this.pinger);
    this.client.disconnect();
    this.sub.disconnect();
  }
}
