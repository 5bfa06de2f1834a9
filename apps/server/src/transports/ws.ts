import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { getWSConnectionHandler } from '@trpc/server/adapters/ws';
import { getErrorShape } from '@trpc/server/unstable-core-do-not-import';
import { WebSocketServer } from 'ws';
import type { RawData, WebSocket } from 'ws';
import {
  streamOhlcvInputSchema,
  streamOrderBookInputSchema,
  streamTickerInputSchema,
  streamTickersInputSchema,
  MarketError,
  parseInput,
  toMarketError,
} from '@marketgate/market-core';
import type { FeedListener, FeedSpec, FeedUpdate, ResolvedFeedSpec } from '@marketgate/market-core';
import type { Logger } from '../logger.js';
import type { AppRouter } from '../router/index.js';
import { MAX_SUBSCRIPTIONS_PER_CONNECTION, subscriptionCapError, toTrpcError } from '../router/stream.js';
import type { AppDeps, Context } from '../trpc.js';
import { clientIpOf } from '../http/client-ip.js';

/**
 * WebSocket transport at /trpc: tRPC's own ws handler for everything, with a lean broadcast path in
 * front of it for the stream.* subscriptions. The lean path speaks the same tRPC ws protocol (the
 * typed client cannot tell the difference) but sends one pre-serialised frame per feed update: the
 * update's JSON is built once per key and only the few bytes of the client's request id differ per
 * subscriber. No async generator, observable or per-message JSON.stringify per subscriber.
 */

/** Close code for a client that does not read fast enough (application range 4000-4999). */
export const SLOW_CONSUMER_CLOSE_CODE = 4008;
/** Above this much unsent data a socket is closed (about 1 MB). */
export const MAX_BUFFERED_BYTES = 1_048_576;
/** Above this much unsent data a subscriber keeps only its newest update until the socket drains. */
const SOFT_BUFFERED_BYTES = 256 * 1024;
/** A socket that stays above the soft level this long without draining is closed as stalled. */
const STALL_MS = 30_000;

const OPEN = 1;

/** tRPC's keepalive frames are the bare texts PING and PONG. */
function isKeepAlive(data: RawData): boolean {
  return (
    Buffer.isBuffer(data) && data.length === 4 && (data[1] === 0x49 || data[1] === 0x4f) && data[3] === 0x47
  );
}
const STREAM_PATHS = new Set(['stream.ticker', 'stream.tickers', 'stream.ohlcv', 'stream.orderBook']);

export interface StreamingOptions {
  deps: AppDeps;
  router: AppRouter;
  log: Logger;
  /** Serve stream.* through the lean path (default true); false leaves them to tRPC's ws handler. */
  lean?: boolean;
  /** Server-side keepalive ping (default 30 s) and how long to wait for the answer (default 10 s). */
  keepAlive?: { pingMs: number; pongWaitMs: number };
  maxBufferedBytes?: number;
  /** Told of each subscription the lean path starts or refuses (metrics). */
  onSubscription?: (path: string, outcome: string, seconds: number) => void;
}

export interface Streaming {
  wss: WebSocketServer;
  /** tRPC's reconnect notification to every connected client. */
  broadcastReconnect(): void;
  /** Open WebSocket connections and their lean subscriptions (tests, stats). */
  counts(): { connections: number; leanSubscriptions: number };
  /** Tells clients to reconnect, closes every socket and the feed hub. Runs in Fastify's preClose. */
  shutdown(): Promise<void>;
}

interface LeanSub {
  id: number | string;
  /** `{"id":<request id>` (+ jsonrpc) — the only per-subscriber bytes of a data frame. */
  prefix: Buffer;
  prefixKey: string;
  detach: (() => void)[];
  /** Newest update held back while the socket is over the soft buffer level. */
  pending: FeedUpdate | undefined;
  stopped: boolean;
}

type TrpcMessage = {
  id?: unknown;
  jsonrpc?: unknown;
  method?: unknown;
  params?: { path?: unknown; input?: unknown; lastEventId?: unknown };
};

/** Whole frames cached per update and request-id prefix; past this many distinct prefixes, frames are built per send. */
const MAX_SHARED_FRAMES = 64;
const TEXT_FRAME = { binary: false } as const;

interface UpdateFrames {
  /** `,"result":{…}}`: everything after the request id, built once per update. */
  suffix: Buffer;
  /** Complete frames by request-id prefix: subscribers whose request ids are equal share one buffer. */
  byPrefix: Map<string, Buffer>;
}
const framesOf = new WeakMap<FeedUpdate, UpdateFrames>();

/**
 * The data frame of `update` for `sub`. The update's JSON is built once per key; the frame is
 * `prefix + suffix`, and it is shared by every subscriber with the same request id (tRPC clients
 * number their subscriptions 1, 2, …, so most subscribers of a key share one buffer, as in a bare
 * broadcast).
 */
function frameFor(update: FeedUpdate, sub: LeanSub): Buffer {
  let frames = framesOf.get(update);
  if (!frames) {
    const id = JSON.stringify(update.id);
    frames = {
      suffix: Buffer.from(`,"result":{"type":"data","id":${id},"data":{"id":${id},"data":${update.json}}}}`),
      byPrefix: new Map(),
    };
    framesOf.set(update, frames);
  }
  let frame = frames.byPrefix.get(sub.prefixKey);
  if (!frame) {
    frame = Buffer.concat([sub.prefix, frames.suffix]);
    if (frames.byPrefix.size < MAX_SHARED_FRAMES) frames.byPrefix.set(sub.prefixKey, frame);
  }
  return frame;
}

function specsFor(
  path: string,
  input: unknown,
): { specs: FeedSpec[]; lastEventId: string | null | undefined } {
  switch (path) {
    case 'stream.ticker': {
      const { exchange, symbol, lastEventId } = parseInput(streamTickerInputSchema, input);
      return { specs: [{ channel: 'ticker', exchange, symbol }], lastEventId };
    }
    case 'stream.tickers': {
      const { exchange, symbols, lastEventId } = parseInput(streamTickersInputSchema, input);
      return {
        specs: symbols.map((symbol) => ({ channel: 'ticker' as const, exchange, symbol })),
        lastEventId,
      };
    }
    case 'stream.ohlcv': {
      const { exchange, symbol, timeframe, lastEventId } = parseInput(streamOhlcvInputSchema, input);
      return { specs: [{ channel: 'ohlcv', exchange, symbol, timeframe }], lastEventId };
    }
    default: {
      const { exchange, symbol, depth, lastEventId } = parseInput(streamOrderBookInputSchema, input);
      return { specs: [{ channel: 'orderBook', exchange, symbol, depth }], lastEventId };
    }
  }
}

export function registerStreaming(app: FastifyInstance, options: StreamingOptions): Streaming {
  const { deps, router, log } = options;
  const lean = options.lean ?? true;
  const maxBuffered = options.maxBufferedBytes ?? MAX_BUFFERED_BYTES;
  const keepAlive = options.keepAlive ?? { pingMs: 30_000, pongWaitMs: 10_000 };
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 1024 * 1024 });
  const contexts = new WeakMap<IncomingMessage, Context>();
  const connections = new Set<Connection>();
  let shuttingDown = false;

  const trpcHandler = getWSConnectionHandler<AppRouter>({
    wss,
    router,
    createContext: ({ req }) => contexts.get(req)!,
    onError({ error, path }) {
      if (
        error.code === 'INTERNAL_SERVER_ERROR' &&
        !(error.cause instanceof MarketError && error.cause.reason !== 'INTERNAL')
      )
        log.error({ err: error.cause ?? error, path, transport: 'ws' }, 'internal error');
    },
  });

  app.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = req.url ?? '';
    if (url !== '/trpc' && !url.startsWith('/trpc?') && !url.startsWith('/trpc/')) {
      // someone else's upgrade route, if any; otherwise refuse it
      if (app.server.listenerCount('upgrade') === 1)
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    if (shuttingDown) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  wss.on('connection', (ws: WebSocket, req: IncomingMessage) => {
    // only what tRPC's handler reads of the request is kept (not the whole IncomingMessage)
    const slimReq = {
      url: req.url,
      method: req.method,
      headers: { host: req.headers.host },
      socket: { remoteAddress: req.socket.remoteAddress },
    } as unknown as IncomingMessage;
    const connection = new Connection(ws, clientIpOf(req, deps.config.trustProxy), slimReq);
    connections.add(connection);
    ws.once('close', () => {
      connections.delete(connection);
      connection.closed();
    });
    ws.on('message', (data: RawData, isBinary: boolean) => {
      connection.lastSeen = Date.now();
      connection.pingSentAt = 0;
      if (!isBinary && isKeepAlive(data)) {
        if ((data as Buffer)[1] === 0x49) ws.send('PONG'); // PING
        return;
      }
      if (!lean || isBinary || !connection.route(data)) connection.forward(data, isBinary);
    });
  });

  // one sweep for every connection instead of two timers each: PING after pingMs of silence,
  // terminate when nothing came back within pongWaitMs (tRPC's keepAlive protocol)
  const sweep = setInterval(
    () => {
      const now = Date.now();
      for (const c of connections) c.keepAlive(now, keepAlive.pingMs, keepAlive.pongWaitMs);
    },
    Math.max(50, Math.min(keepAlive.pingMs, keepAlive.pongWaitMs) / 2),
  );
  sweep.unref();

  class Connection {
    readonly subs = new Map<number | string, LeanSub>();
    private held = new Set<LeanSub>();
    private drainArmed = false;
    private stallTimer: ReturnType<typeof setTimeout> | undefined;
    private context: Context | undefined;
    private trpcListeners: ((data: RawData, isBinary: boolean) => void)[] | undefined;
    lastSeen = Date.now();
    pingSentAt = 0;

    constructor(
      private readonly ws: WebSocket,
      private readonly clientIp: string,
      private readonly req: IncomingMessage,
    ) {}

    /** The tRPC context of this connection, made on first use (most stream clients never need it). */
    get ctx(): Context {
      this.context ??= { ...deps, clientIp: this.clientIp, requestId: randomUUID() };
      return this.context;
    }

    /**
     * To tRPC's own ws handler, attached on the first message the lean path does not take: a socket
     * that only streams never pays for it. The handler registers one 'message' listener, which is
     * taken off the socket and called from here.
     */
    forward(data: RawData, isBinary: boolean): void {
      if (!this.trpcListeners) {
        contexts.set(this.req, this.ctx);
        const before = new Set(this.ws.listeners('message'));
        trpcHandler(this.ws, this.req);
        this.trpcListeners = this.ws.listeners('message').filter((l) => !before.has(l)) as ((
          data: RawData,
          isBinary: boolean,
        ) => void)[];
        for (const listener of this.trpcListeners) this.ws.off('message', listener);
      }
      for (const listener of this.trpcListeners) listener.call(this.ws, data, isBinary);
    }

    keepAlive(now: number, pingMs: number, pongWaitMs: number): void {
      if (this.pingSentAt > 0) {
        if (now - this.pingSentAt > pongWaitMs) this.ws.terminate();
      } else if (now - this.lastSeen > pingMs && this.ws.readyState === OPEN) {
        this.pingSentAt = now;
        this.ws.send('PING');
      }
    }

    /** Handles lean-path messages; false passes the whole message to tRPC. Batches are split. */
    route(data: RawData): boolean {
      const text = (
        Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data)
      ).toString();
      if (!text.includes('"stream.') && !text.includes('subscription.stop')) return false;
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        return false;
      }
      const messages = (Array.isArray(parsed) ? parsed : [parsed]) as TrpcMessage[];
      const rest: TrpcMessage[] = [];
      for (const msg of messages) {
        if (typeof msg !== 'object' || msg === null) rest.push(msg);
        else if (
          msg.method === 'subscription' &&
          typeof msg.params?.path === 'string' &&
          STREAM_PATHS.has(msg.params.path)
        ) {
          void this.subscribe(msg);
        } else if (msg.method === 'subscription.stop' && this.subs.has(msg.id as number))
          this.stop(msg.id as number, true);
        else rest.push(msg);
      }
      if (rest.length > 0)
        this.forward(Buffer.from(JSON.stringify(rest.length === 1 ? rest[0] : rest)), false);
      return true;
    }

    private send(text: string): void {
      if (this.ws.readyState === OPEN) this.ws.send(text);
    }

    private sendError(msg: TrpcMessage, path: string, cause: unknown): void {
      const error = toTrpcError(cause);
      const shape = getErrorShape({
        config: router._def._config,
        error,
        type: 'subscription',
        path,
        input: msg.params?.input,
        ctx: this.ctx,
      });
      this.send(
        JSON.stringify({ id: msg.id, ...(msg.jsonrpc === '2.0' ? { jsonrpc: '2.0' } : {}), error: shape }),
      );
    }

    private async subscribe(msg: TrpcMessage): Promise<void> {
      const id = msg.id as number | string;
      const path = msg.params!.path as string;
      if (typeof id !== 'number' && typeof id !== 'string')
        return this.sendError(msg, path, new MarketError('INVALID_INPUT', '`id` is required'));
      if (this.subs.has(id))
        return this.sendError(msg, path, new MarketError('INVALID_INPUT', `Duplicate id ${id}`));
      if (this.subs.size >= MAX_SUBSCRIPTIONS_PER_CONNECTION)
        return this.sendError(msg, path, subscriptionCapError());
      const jsonrpc = msg.jsonrpc === '2.0' ? ',"jsonrpc":"2.0"' : '';
      const sub: LeanSub = {
        id,
        prefix: Buffer.from(`{"id":${JSON.stringify(id)}${jsonrpc}`),
        prefixKey: `${JSON.stringify(id)}${jsonrpc}`,
        detach: [],
        pending: undefined,
        stopped: false,
      };
      this.subs.set(id, sub); // counts toward the cap while it opens
      const started = performance.now();
      const observe = (outcome: string) =>
        options.onSubscription?.(path, outcome, (performance.now() - started) / 1000);
      let resolved: ResolvedFeedSpec[];
      let lastEventId: string | null | undefined;
      try {
        await deps.limiter.consume(this.clientIp);
        const input = msg.params?.input;
        const withResume =
          msg.params?.lastEventId !== undefined && typeof input === 'object' && input !== null
            ? { ...input, lastEventId: msg.params.lastEventId }
            : input;
        const parsed = specsFor(path, withResume);
        lastEventId = parsed.lastEventId;
        resolved = await Promise.all(parsed.specs.map((s) => deps.feeds.open(s)));
      } catch (error) {
        this.subs.delete(id);
        observe(toMarketError(error).reason);
        if (!sub.stopped) this.sendError(msg, path, error);
        return;
      }
      observe('ok');
      if (sub.stopped || this.ws.readyState !== OPEN) {
        this.subs.delete(id);
        return;
      }
      this.send(`{"id":${JSON.stringify(id)}${jsonrpc},"result":{"type":"started"}}`);
      const listener: FeedListener = {
        onUpdate: (update) => this.deliver(sub, update),
        onEnd: (error) => {
          if (sub.stopped) return;
          this.stop(id, false);
          this.sendError(msg, path, error);
        },
      };
      const unique = [...new Map(resolved.map((r) => [r.key, r])).values()];
      for (const spec of unique) {
        if (sub.stopped) break;
        sub.detach.push(deps.feeds.attach(spec, listener, lastEventId));
      }
    }

    private deliver(sub: LeanSub, update: FeedUpdate): void {
      if (sub.stopped || this.ws.readyState !== OPEN) return;
      const buffered = this.ws.bufferedAmount;
      if (buffered > maxBuffered) return this.closeSlow(buffered);
      if (buffered > SOFT_BUFFERED_BYTES && !update.sticky) {
        // behind: keep only the newest update and send it when the socket drains
        sub.pending = update;
        this.held.add(sub);
        this.armDrain();
        return;
      }
      this.ws.send(frameFor(update, sub), TEXT_FRAME);
    }

    private armDrain(): void {
      if (this.drainArmed) return;
      this.drainArmed = true;
      const socket = (this.ws as unknown as { _socket?: Socket })._socket;
      this.stallTimer ??= setTimeout(() => this.closeSlow(this.ws.bufferedAmount), STALL_MS);
      socket?.once('drain', () => {
        this.drainArmed = false;
        clearTimeout(this.stallTimer);
        this.stallTimer = undefined;
        const held = [...this.held];
        this.held.clear();
        for (const sub of held) {
          const pending = sub.pending;
          sub.pending = undefined;
          if (pending) this.deliver(sub, pending);
        }
      });
    }

    private closeSlow(buffered: number): void {
      log.warn(
        {
          clientIp: this.clientIp,
          bufferedBytes: buffered,
          capBytes: maxBuffered,
          code: SLOW_CONSUMER_CLOSE_CODE,
        },
        'closing slow WebSocket consumer: unsent data passed the cap',
      );
      this.ws.close(SLOW_CONSUMER_CLOSE_CODE, 'slow consumer: send buffer over 1 MB');
      // a peer that stopped reading will not complete the closing handshake either
      setTimeout(() => this.ws.terminate(), 2_000).unref();
    }

    stop(id: number | string, reply: boolean): void {
      const sub = this.subs.get(id);
      if (!sub) return;
      this.subs.delete(id);
      sub.stopped = true;
      sub.pending = undefined;
      this.held.delete(sub);
      for (const detach of sub.detach.splice(0)) detach();
      if (reply) this.send(`{"id":${JSON.stringify(id)},"result":{"type":"stopped"}}`);
    }

    closed(): void {
      for (const id of [...this.subs.keys()]) this.stop(id, false);
      clearTimeout(this.stallTimer);
      this.held.clear();
    }
  }

  const broadcastReconnect = () => {
    const data = JSON.stringify({ id: null, method: 'reconnect' });
    for (const client of wss.clients) if (client.readyState === OPEN) client.send(data);
  };

  const streaming: Streaming = {
    wss,
    broadcastReconnect,
    counts() {
      let leanSubscriptions = 0;
      for (const c of connections) leanSubscriptions += c.subs.size;
      return { connections: connections.size, leanSubscriptions };
    },
    async shutdown() {
      if (shuttingDown) return;
      shuttingDown = true;
      clearInterval(sweep);
      const clients = [...wss.clients];
      if (clients.length > 0) log.info({ clients: clients.length }, 'telling WebSocket clients to reconnect');
      broadcastReconnect();
      const closed = clients.map(
        (client) =>
          new Promise<void>((resolve) => {
            if (client.readyState === 3) return resolve();
            client.once('close', () => resolve());
            client.close(1012, 'server restarting; reconnect');
            setTimeout(() => {
              client.terminate();
              resolve();
            }, 1_000).unref();
          }),
      );
      await Promise.all(closed);
      deps.feeds.close();
      wss.close();
    },
  };
  app.addHook('preClose', async () => {
    await streaming.shutdown();
  });
  return streaming;
}
