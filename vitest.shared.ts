import { fileURLToPath } from 'node:url';

/** Tests run against workspace sources, not built output, so no build is needed to test a change. */
export const workspaceAliases = {
  '@marketgate/market-core': fileURLToPath(new URL('./packages/market-core/src/index.ts', import.meta.url)),
  '@marketgate/client': fileURLToPath(new URL('./packages/client/src/index.ts', import.meta.url)),
};
