import { freePort, readState, startServer, stopServer } from './server';

/** Starts the built server on a free port for every spec; returns the teardown that stops it. */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const [port, deadPort] = [await freePort(), await freePort()];
  const state = await startServer(port, deadPort);
  process.env.MARKETGATE_E2E_URL = state.url;
  return async () => {
    // the restart spec may have replaced the process: stop the current one
    await stopServer(readState().pid);
  };
}
