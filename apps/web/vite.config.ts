import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

/** Where `pnpm dev` finds the API server (the server's own dev task listens on 8787). */
const target = process.env.MARKETGATE_DEV_API ?? 'http://127.0.0.1:8787';

const proxied = ['/api', '/mcp', '/metrics', '/docs', '/openapi.json', '/healthz', '/readyz'];

export default defineConfig({
  plugins: [react()],
  build: {
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 400,
  },
  server: {
    host: '127.0.0.1',
    port: 5173,
    proxy: {
      // tRPC: HTTP batching, SSE subscriptions and the WebSocket upgrade share the path
      '/trpc': { target, ws: true, changeOrigin: true },
      ...Object.fromEntries(proxied.map((path) => [path, { target, changeOrigin: true }])),
    },
  },
  preview: { host: '127.0.0.1', port: 4173 },
});
