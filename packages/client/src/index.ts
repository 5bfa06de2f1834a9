import {
  createTRPCClient,
  createWSClient,
  httpBatchLink,
  httpSubscriptionLink,
  retryLink,
  splitLink,
  TRPCClientError,
  wsLink,
} from '@trpc/client';
import type { TRPCClient, TRPCLink } from '@trpc/client';
import type { AppRouter, ErrorData } from '@marketgate/server';
import { EventSource as EventSourcePonyfill } from 'eventsource';
import { WebSocket as WsWebSocket } from 'ws';

export type { AppRouter, ErrorData };
export type MarketClient = TRPCClient<AppRouter>;

export interface MarketClientOptions {
  /** Server base URL, e.g. http://127.0.0.1:8787 (the `/trpc` path is added). */
  url: string;
  /** Extra headers on every HTTP request (e.g. an API gateway key). Not sent on WebSocket upgrades. */
  headers?: Record<string, string>;
  /** Most calls merged into one HTTP request (default 20). */
  maxBatchSize?: number;
  /**
   * How subscriptions (`stream.*`) travel: `ws` (default) over one shared WebSocket, or `sse`
   * (Server-Sent Events, one HTTP request per subscription: passes proxies that block WebSockets).
   */
  transport?: 'ws' | 'sse';
  /** Pause before reconnect attempt n (0-based); default exponential backoff 0.5 s … 30 s with jitter. */
  retryDelayMs?: (attempt: number) => number;
  /** Resubscribe this many times in a row after a retryable stream error (default unlimited). */
  maxStreamRetries?: number;
  /** WebSocket connection events (ws transport). */
  onOpen?: () => void;
  onClose?: (cause?: { code?: number }) => void;
  /** The WebSocket class; default the runtime's own, else the `ws` package (Node 20). */
  WebSocket?: typeof globalThis.WebSocket;
  /** The EventSource class; default the runtime's own, else the `eventsource` package (Node). */
  EventSource?: typeof globalThis.EventSource;
}

function trpcUrl(base: string): string {
  const trimmed = base.replace(/\/+$/, '');
  return trimmed.endsWith('/trpc') ? trimmed : `${trimmed}/trpc`;
}

/** Exponential backoff with jitter: 0.5 s, 1 s, 2 s, … capped at 30 s. */
export function reconnectDelay(attempt: number): number {
  const step = Math.min(30_000, 500 * 2 ** attempt);
  return Math.round(step / 2 + (Math.random() * step) / 2);
}

function retryableStreamError(error: TRPCClientError<AppRouter>): boolean {
  const data = error.data as Partial<ErrorData> | undefined;
  // no data: the connection itself failed (network, server restart)
  return data?.retryable ?? !data;
}

function subscriptionLinks(options: MarketClientOptions, url: string): TRPCLink<AppRouter>[] {
  const retryDelayMs = options.retryDelayMs ?? reconnectDelay;
  const maxRetries = options.maxStreamRetries ?? Infinity;
  // a retryable error (server restarting, upstream down, rate limited) resubscribes with backoff,
  // passing the last event id so the server does not resend what the client already has
  const retry = retryLink<AppRouter>({
    retry: ({ op, error, attempts }) =>
      op.type === 'subscription' && attempts <= maxRetries && retryableStreamError(error),
    retryDelayMs: (attempt) => retryDelayMs(Math.max(0, attempt - 1)),
  });
  if (options.transport === 'sse') {
    const EventSourceImpl = options.EventSource ?? globalThis.EventSource ?? EventSourcePonyfill;
    return [
      retry,
      httpSubscriptionLink({
        url,
        EventSource: EventSourceImpl as typeof EventSourcePonyfill,
        ...(options.headers && !globalThis.EventSource
          ? {
              eventSourceOptions: {
                fetch: (input: string | URL | Request, init?: RequestInit) =>
                  fetch(input, {
                    ...init,
                    headers: { ...(init?.headers as Record<string, string>), ...options.headers },
                  }),
              },
            }
          : {}),
      }),
    ];
  }
  const WebSocketImpl =
    options.WebSocket ?? globalThis.WebSocket ?? (WsWebSocket as unknown as typeof WebSocket);
  const wsClient = createWSClient({
    url: url.replace(/^http/, 'ws'),
    WebSocket: WebSocketImpl,
    retryDelayMs,
    // the socket opens with the first subscription and closes when the last one ends
    lazy: { enabled: true, closeMs: 1_000 },
    keepAlive: { enabled: true, intervalMs: 15_000, pongTimeoutMs: 5_000 },
    ...(options.onOpen ? { onOpen: options.onOpen } : {}),
    ...(options.onClose ? { onClose: options.onClose } : {}),
  });
  return [retry, wsLink<AppRouter>({ client: wsClient })];
}

/**
 * A typed client over AppRouter. Queries made in the same tick are batched into one HTTP request;
 * subscriptions go over one WebSocket (default) or SSE (`transport: 'sse'`), reconnecting with
 * backoff and resuming from the last event id.
 */
export function createMarketClient(options: MarketClientOptions): MarketClient {
  const url = trpcUrl(options.url);
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: subscriptionLinks(options, url),
        false: httpBatchLink({
          url,
          maxItems: options.maxBatchSize ?? 20,
          ...(options.headers ? { headers: options.headers } : {}),
        }),
      }),
    ],
  });
}

/** The contract's error fields (`reason`, `retryable`, `retryAfterMs`) of a failed call, if it is one. */
export function marketErrorOf(
  error: unknown,
): (ErrorData & { message: string; httpStatus?: number }) | undefined {
  if (!(error instanceof TRPCClientError)) return undefined;
  const data = (error as TRPCClientError<AppRouter>).data as
    (ErrorData & { httpStatus?: number }) | undefined;
  if (!data?.reason) return undefined;
  return { ...data, message: error.message };
}

export { TRPCClientError };
