// Startup: time from process start to /healthz answering.
import { spawn } from 'node:child_process';
import { freePort, root, serverMain, stop, waitFor } from './lib.mjs';

export async function startupBench({ runs = 3 } = {}) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const port = await freePort();
    const started = performance.now();
    const child = spawn(process.execPath, [serverMain], {
      cwd: root,
      env: { ...process.env, MCP_PORT: String(port), MCP_LOG_LEVEL: 'warn' },
      stdio: 'ignore',
    });
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok);
    times.push(performance.now() - started);
    await stop(child);
  }
  times.sort((a, b) => a - b);
  return { runs, medianMs: Math.round(times[Math.floor(times.length / 2)]), minMs: Math.round(times[0]) };
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await startupBench());
