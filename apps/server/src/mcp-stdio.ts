/**
 * MCP over stdio for desktop agents: `pnpm mcp` at the repo root. stdout carries the protocol and
 * nothing else; logs, warnings and configuration errors go to stderr.
 */
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { MarketService } from '@marketgate/market-core';
import { loadConfigOrExit } from './config.js';
import { createLogger } from './logger.js';
import { createMcpServer } from './mcp/server.js';
import { serviceOptionsFrom, version } from './service-options.js';

// anything (ccxt included) that logs to the console must not corrupt the protocol stream
for (const method of ['log', 'info', 'debug', 'trace'] as const) {
  console[method] = (...args: unknown[]) => console.error(...args);
}

const config = loadConfigOrExit();
const log = createLogger(config, process.stderr);

const service = new MarketService(serviceOptionsFrom(config));
const server = createMcpServer({ service, version, log });
const transport = new StdioServerTransport();

let closing = false;
async function shutdown(why: string): Promise<void> {
  if (closing) return;
  closing = true;
  log.info({ why }, 'MCP stdio server stopping');
  try {
    await server.close();
    await service.close();
  } finally {
    process.exit(0);
  }
}

process.stdin.on('end', () => void shutdown('stdin closed'));
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('unhandledRejection', (reason) => log.error({ err: reason }, 'unhandled rejection'));

await server.connect(transport);
log.info({ version, exchanges: config.exchanges ?? 'all' }, 'Marketgate MCP server on stdio');
