export type { AppRouter } from './router/index.js';
export { appRouter } from './router/index.js';
export { createServer } from './app.js';
export type { MarketServer, ServerOptions } from './app.js';
export { configFrom, parseConfig } from './config.js';
export type { Config } from './config.js';
export type { ErrorData } from './trpc.js';
