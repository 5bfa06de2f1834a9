import { expect, test } from './fixtures';
import { readState, startServer, stopServer } from './server';

// while the server is down the browser logs refused connections: expected here, and only here
test.use({
  allowedConsoleErrors: /ERR_CONNECTION_REFUSED|WebSocket connection to .* failed|status of 50[23]/,
});

test('reconnects by itself after the server restarts, and prices move again', async ({ page }) => {
  test.setTimeout(90_000);
  const sockets: string[] = [];
  page.on('websocket', (ws) => sockets.push(ws.url()));
  await page.goto('/');
  const indicator = page.getByTestId('connection');
  const btc = page.locator('tr[data-symbol="BTC/USDT"] [data-testid="last"]');
  await expect(indicator).toHaveAttribute('data-status', 'live');
  await expect(btc).toHaveText(/\d/);

  const before = readState();
  await stopServer(before.pid);
  await expect(indicator).toHaveAttribute('data-status', 'reconnecting');
  const stale = await btc.textContent();

  await startServer(before.port, before.deadPort);
  await expect(indicator).toHaveAttribute('data-status', 'live', { timeout: 20_000 });
  await expect(btc).not.toHaveText(stale ?? '', { timeout: 15_000 });
  // the stream resumed on a new WebSocket (not by falling back to polling)
  expect(sockets.filter((url) => new URL(url).pathname === '/trpc').length).toBeGreaterThanOrEqual(2);
});
