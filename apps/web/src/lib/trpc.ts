import { QueryClient } from '@tanstack/react-query';
import { createTRPCClient, createWSClient, httpBatchLink, retryLink, splitLink, wsLink } from '@trpc/client';
import type { TRPCLink } from '@trpc/client';
import { observable } from '@trpc/server/observable';
import { createTRPCContext } from '@trpc/tanstack-react-query';
import type { AppRouter } from '@marketgate/server';
import { ConnectionTracker } from './connection';
import { errorFacts, isNetworkError, retryDelay, shouldRetry } from './errors';

export type { AppRouter };

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

/** Reports every HTTP answer to the connection tracker: any answer means the server is up. */
function trackingLink(tracker: ConnectionTracker): TRPCLink<AppRouter> {
  return () =>
    ({ next, op }) =>
      observable((observer) => {
        const http = op.type !== 'subscription';
        const subscription = next(op).subscribe({
          next(value) {
            if (http) tracker.ok();
            observer.next(value);
          },
          error(error) {
            if (http && !op.signal?.aborted) {
              if (isNetworkError(error)) tracker.failed();
              else tracker.ok();
            }
            observer.error(error);
          },
          complete() {
            observer.complete();
          },
        });
        return () => subscription.unsubscribe();
      });
}

export interface Clients {
  queryClient: QueryClient;
  trpcClient: ReturnType<typeof createTRPCClient<AppRouter>>;
  tracker: ConnectionTracker;
  close(): void;
}

/**
 * Queries go over HTTP batching (`/trpc`, same origin); live subscriptions share one WebSocket on
 * the same path, which reconnects with backoff and resumes each stream from its last event id.
 */
export function createClients(base: { origin: string; wsOrigin: string }): Clients {
  const tracker = new ConnectionTracker();
  const wsClient = createWSClient({
    url: `${base.wsOrigin}/trpc`,
    // the socket opens with the first subscription and closes a while after the last one ends
    lazy: { enabled: true, closeMs: 10_000 },
    keepAlive: { enabled: true, intervalMs: 5_000, pongTimeoutMs: 3_000 },
    retryDelayMs: (attempt) => Math.min(500 * 2 ** attempt, 5_000),
  });
  wsClient.connectionState.subscribe({
    next(state) {
      if (state.state === 'pending') tracker.ok('ws');
      else if (state.state === 'connecting' && state.error) tracker.failed('ws');
      // lazy mode closed an idle socket: nothing to report about it any more
      else if (state.state === 'idle') tracker.ok('ws');
    },
  });
  const trpcClient = createTRPCClient<AppRouter>({
    links: [
      trackingLink(tracker),
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: [
          // a retryable stream error (upstream down, rate limited, server restarting) resubscribes
          // with backoff, from the last event id; unknown symbols and the like end the stream
          retryLink<AppRouter>({
            retry: ({ error }) => errorFacts(error).retryable,
            retryDelayMs: (attempt) => retryDelay(Math.max(0, attempt - 1), undefined),
          }),
          wsLink<AppRouter>({ client: wsClient }),
        ],
        false: httpBatchLink({ url: `${base.origin}/trpc`, maxItems: 20 }),
      }),
    ],
  });
  const queryClient = new QueryClient({
    defaultOptions: {
      queries: {
        retry: shouldRetry,
        retryDelay,
        refetchOnWindowFocus: false,
        staleTime: 1_000,
      },
    },
  });
  // once the server is back, fetch again whatever failed while it was away
  tracker.onRecovered(() => {
    void queryClient.refetchQueries({ predicate: (query) => query.state.status === 'error' });
  });
  return {
    queryClient,
    trpcClient,
    tracker,
    close() {
      void wsClient.close();
      queryClient.clear();
    },
  };
}
