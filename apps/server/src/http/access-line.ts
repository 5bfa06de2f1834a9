import { pino } from 'pino';
import type { Logger } from '../logger.js';

/**
 * The access line of an answer from the response cache, written straight to the logger's own
 * destination in pino's line format. Going through `log.info()` cost more than the rest of such a
 * request together (measured: 38k vs 58k req/s on the bench's 2 cores), for a line whose every field
 * but the id, time and duration is known when the answer is stored.
 */
export class AccessLine {
  private readonly stream: { write(line: string): unknown } | undefined;
  private readonly bindings: string;
  private pending = '';
  private flushScheduled = false;

  constructor(private readonly log: Logger) {
    const internals = log as unknown as Record<symbol, unknown>;
    const stream = internals[pino.symbols.streamSym] as { write?: unknown } | undefined;
    this.stream =
      typeof stream?.write === 'function' ? (stream as { write(line: string): unknown }) : undefined;
    // pre-serialised `,"pid":…,"hostname":…` (and any child bindings), as pino writes them
    const chindings = internals[pino.symbols.chindingsSym];
    this.bindings = typeof chindings === 'string' ? chindings : '';
  }

  /** `fields` is a JSON fragment built once per stored answer: `"path":…,"procedure":…`. */
  write(reqId: string, fields: string, durationMs: number): void {
    if (!this.log.isLevelEnabled('info')) return;
    if (!this.stream) {
      this.log.info({ reqId, durationMs, responseCache: true }, 'request');
      return;
    }
    this.pending +=
      `{"level":30,"time":${Date.now()}${this.bindings},"reqId":${JSON.stringify(reqId)},${fields},` +
      `"durationMs":${durationMs},"outcome":"ok","responseCache":true,"msg":"request"}\n`;
    // lines of one event-loop turn go out in one write: under load that is one syscall for many requests
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flush);
    }
  }

  private readonly flush = (): void => {
    this.flushScheduled = false;
    const lines = this.pending;
    this.pending = '';
    if (lines) this.stream?.write(lines);
  };
}
