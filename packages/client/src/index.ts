import { createTRPCClient, httpBatchLink, TRPCClientError } from '@trpc/client';
import type { TRPCClient } from '@trpc/client';
import type { AppRouter, ErrorData } from '@marketgate/server';

export type { AppRouter, ErrorData };
export type MarketClient = TRPCClient<AppRouter>;

export interface MarketClientOptions {
  /** Server base URL, e.g. http://127.0.0.1:8787 (the `/trpc` path is added). */
  url: string;
  /** Extra headers on every HTTP request (e.g. an API gateway key). */
  headers?: Record<string, string>;
  /** Most calls merged into one HTTP request (default 20). */
  maxBatchSize?: number;
}

function trpcUrl(base: string): string {
  const trimmed = base.replace(/\/+$/, '');
  return trimmed.endsWith('/trpc') ? trimmed : `${trimmed}/trpc`;
}

/** A typed client over AppRouter; calls made in the same tick are batched into one HTTP request. */
export function createMarketClient(options: MarketClientOptions): MarketClient {
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: trpcUrl(options.url),
        maxItems: options.maxBatchSize ?? 20,
        ...(options.headers ? { headers: options.headers } : {}),
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
