import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';

/** ../shared/fixtures/ccxt-static beside the repository (absent outside the workplace: tests skip). */
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const STATIC_DIR = resolve(repoRoot, '..', 'shared', 'fixtures', 'ccxt-static');
export const wsFixturesAvailable = existsSync(resolve(STATIC_DIR, 'binance', 'ws.json'));

export interface WsFixtureEntry {
  description: string;
  input: unknown[];
  url: string;
  messages: Record<string, unknown>[];
  sentMessages: Record<string, unknown>[];
  parsedResponses: Record<string, unknown>[];
}

export function binanceWsEntries(method: string): WsFixtureEntry[] {
  const file = JSON.parse(readFileSync(resolve(STATIC_DIR, 'binance', 'ws.json'), 'utf8')) as {
    methods: Record<string, WsFixtureEntry[]>;
  };
  return file.methods[method] ?? [];
}

export function binanceMarkets(): Record<string, unknown> {
  return JSON.parse(readFileSync(resolve(STATIC_DIR, 'binance', 'markets.json'), 'utf8')) as Record<
    string,
    unknown
  >;
}

export function binanceRest(method: string): { input: unknown[]; httpResponse: unknown }[] {
  const file = JSON.parse(readFileSync(resolve(STATIC_DIR, 'binance', 'response.json'), 'utf8')) as {
    methods: Record<string, { input: unknown[]; httpResponse: unknown }[]>;
  };
  return file.methods[method] ?? [];
}

export interface WsReplayServer {
  /** Base URL for MCP_UPSTREAM_PROXY_URL: http://127.0.0.1:<port> */
  url: string;
  /** Client→server frames received, parsed. */
  received: Record<string, unknown>[];
  /** Request paths of WebSocket connections and HTTP requests, in order. */
  paths: string[];
  /** Resolves once no client WebSocket is connected (ccxt closed its streams). */
  whenNoSockets(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Replays one recorded WebSocket session: acknowledges the client's subscription with the recorded
 * ack (its id replaced by the client's), then sends the recorded data frames one by one and then
 * stays silent (the socket stays open). `rest` answers HTTP requests by path prefix.
 */
export async function startWsReplay(
  entry: WsFixtureEntry,
  rest: Record<string, unknown> = {},
  gapMs = 100,
): Promise<WsReplayServer> {
  const received: Record<string, unknown>[] = [];
  const paths: string[] = [];
  const sockets = new Set<WebSocket>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let noSocketWaiters: (() => void)[] = [];
  const http = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    paths.push(`GET ${path}`);
    const match = Object.keys(rest).find((prefix) => path.endsWith(prefix));
    if (!match) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"code":-1,"msg":"not recorded"}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(rest[match]));
  });
  const wss = new WebSocketServer({ server: http });
  wss.on('connection', (ws, req) => {
    sockets.add(ws);
    paths.push(`WS ${req.url ?? ''}`);
    ws.on('close', () => {
      sockets.delete(ws);
      if (sockets.size > 0) return;
      for (const resolve of noSocketWaiters) resolve();
      noSocketWaiters = [];
    });
    ws.on('message', (data: Buffer) => {
      const msg = JSON.parse(data.toString()) as Record<string, unknown>;
      received.push(msg);
      // binance acknowledges an UNSUBSCRIBE like a SUBSCRIBE
      if (msg.method === 'UNSUBSCRIBE') ws.send(JSON.stringify({ result: null, id: msg.id }));
      if (msg.method !== 'SUBSCRIBE') return;
      const [ack, ...frames] = entry.messages;
      ws.send(JSON.stringify({ ...ack, id: msg.id }));
      // paced: ccxt resolves one watch call per frame
      frames.forEach((frame, i) => {
        const timer = setTimeout(
          () => {
            timers.delete(timer);
            if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
          },
          gapMs * (i + 1),
        );
        timers.add(timer);
      });
    });
  });
  await new Promise<void>((ok) => http.listen(0, '127.0.0.1', ok));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    paths,
    whenNoSockets: () =>
      sockets.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => noSocketWaiters.push(resolve)),
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      for (const ws of sockets) ws.terminate();
      await new Promise<void>((ok) => wss.close(() => ok()));
      await new Promise<void>((ok) => http.close(() => ok()));
    },
  };
}
