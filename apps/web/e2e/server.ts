import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Starts and stops the real built server for the specs (one process, a fixed free port). */

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '..', '..', '..');
/** The built server; MARKETGATE_E2E_SERVER_MAIN points the specs at another build. */
export const serverMain =
  process.env.MARKETGATE_E2E_SERVER_MAIN ?? resolve(repoRoot, 'apps/server/dist/main.js');
export const webIndex = resolve(repoRoot, 'apps/web/dist/index.html');
const resultsDir = resolve(here, '..', 'test-results');
const stateFile = resolve(resultsDir, 'e2e-server.json');
const logFile = resolve(resultsDir, 'e2e-server.log');

export interface ServerState {
  pid: number;
  port: number;
  url: string;
  /** A port nothing listens on: every real exchange is "unreachable" there, none reaches the internet. */
  deadPort: number;
}

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolvePort(port));
    });
  });
}

export function readState(): ServerState {
  return JSON.parse(readFileSync(stateFile, 'utf8')) as ServerState;
}

function writeState(state: ServerState): void {
  writeFileSync(stateFile, JSON.stringify(state));
}

async function waitReady(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.ok) return;
      last = new Error(`readyz answered ${res.status}`);
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the server at ${url} did not become ready: ${String(last)}; see ${logFile}`);
}

/** Spawns `node apps/server/dist/main.js` detached from the caller's stdio, so it survives a worker. */
export async function startServer(port: number, deadPort: number): Promise<ServerState> {
  if (!existsSync(serverMain) || !existsSync(webIndex)) {
    throw new Error(
      `e2e needs the built server and dashboard (${serverMain}, ${webIndex}): run \`pnpm build\` at the repo root first`,
    );
  }
  mkdirSync(resultsDir, { recursive: true });
  const log = openSync(logFile, 'a');
  const env: NodeJS.ProcessEnv = { ...process.env };
  // a developer's Redis or exchange list must not leak into the specs
  delete env.MCP_REDIS_URL;
  delete env.MCP_EXCHANGES;
  delete env.MCP_CORS_ORIGINS;
  const child = spawn(process.execPath, [serverMain], {
    cwd: repoRoot,
    stdio: ['ignore', log, log],
    env: {
      ...env,
      MCP_HOST: '127.0.0.1',
      MCP_PORT: String(port),
      MCP_DEFAULT_EXCHANGE: 'sim',
      MCP_DEFAULT_SYMBOLS: 'BTC/USDT,ETH/USDT,SOL/USDT,XRP/USDT,DOGE/USDT',
      MCP_RATE_LIMIT_REQUESTS: '1000000',
      MCP_UPSTREAM_PROXY_URL: `http://127.0.0.1:${deadPort}`,
      MCP_RETRY_ATTEMPTS: '0',
      MCP_LOG_LEVEL: 'warn',
      MCP_LOG_FORMAT: 'json',
    },
  });
  if (child.pid === undefined) throw new Error('could not spawn the server');
  const pid = child.pid;
  appendFileSync(logFile, `e2e: started server pid ${pid} on port ${port}\n`);
  // a server that dies mid-run says how, next to its own log
  child.on('exit', (code, signal) =>
    appendFileSync(logFile, `e2e: server pid ${pid} exited (code ${code}, signal ${signal})\n`),
  );
  child.unref();
  const state: ServerState = { pid: child.pid, port, url: `http://127.0.0.1:${port}`, deadPort };
  writeState(state);
  await waitReady(state.url, 20_000);
  return state;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM, then waits until the process is gone (SIGKILL after `timeoutMs`). */
export async function stopServer(pid: number, timeoutMs = 8_000): Promise<void> {
  if (!alive(pid)) return;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (alive(pid)) {
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGKILL');
      break;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
