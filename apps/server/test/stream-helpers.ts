/** Stream tests use the common test server, whose log lines can also be awaited (`logs`). */
export { startTestServer as startStreamServer } from './helpers/server.js';
export type { TestServer as StreamTestServer } from './helpers/server.js';
export { Collector } from './helpers/collector.js';
