import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/** Tests run against workspace sources, not built output, so no build is needed to test a change. */
export const workspaceAliases = {
  '@marketgate/market-core': fileURLToPath(new URL('./packages/market-core/src/index.ts', import.meta.url)),
  '@marketgate/client': fileURLToPath(new URL('./packages/client/src/index.ts', import.meta.url)),
};

/** The vitest config of every Node package: tests in test/, generous timeouts for real servers on 2 cores. */
export const nodePackageTestConfig = defineConfig({
  resolve: { alias: workspaceAliases },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
