import { loadConfigOrExit } from './config.js';
import { createServer } from './app.js';
import { createLogger } from './logger.js';

/** Exit even if something holds the process open after a stop signal. */
const SHUTDOWN_DEADLINE_MS = 4_500;

const config = loadConfigOrExit();
const log = createLogger(config);
const server = createServer({ config, log });

process.on('unhandledRejection', (reason) => log.error({ err: reason }, 'unhandled rejection'));

try {
  const url = await server.listen();
  log.info(
    { url, exchanges: config.exchanges ?? 'all', default: config.defaultExchange },
    `Marketgate listening on ${url}`,
  );
} catch (error) {
  log.fatal({ err: error }, `cannot listen on ${config.host}:${config.port}`);
  process.exit(1);
}

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down: finishing in-flight requests');
    setTimeout(() => {
      log.warn('shutdown deadline reached, exiting');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    server.close().then(
      () => {
        log.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        log.error({ err: error }, 'error while stopping');
        process.exit(1);
      },
    );
  });
}
