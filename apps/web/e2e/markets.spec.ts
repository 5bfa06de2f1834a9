import { expect, priceOf, snap, test } from './fixtures';

test.describe('markets (watchlist)', () => {
  test('shows live sim tickers that change within a few seconds', async ({ page }) => {
    // prices must come over the stream.tickers subscription (one WebSocket), not by polling
    let streamFrames = 0;
    let tickerPolls = 0;
    page.on('websocket', (ws) => {
      if (new URL(ws.url()).pathname === '/trpc') ws.on('framereceived', () => streamFrames++);
    });
    page.on('request', (request) => {
      if (request.url().includes('market.tickers')) tickerPolls++;
    });
    await page.goto('/');
    const rows = page.getByTestId('watch-row');
    await expect(rows).toHaveCount(5);
    await expect(page.getByTestId('watchlist').getByText('SIMULATED')).toBeVisible();
    await expect(page.getByTestId('connection')).toHaveAttribute('data-status', 'live');

    const btc = page.locator('tr[data-symbol="BTC/USDT"] [data-testid="last"]');
    await expect(btc).toHaveText(/^\d{1,3}(,\d{3})*\.\d{2}$/);
    const first = await btc.textContent();
    expect(priceOf(first)).toBeGreaterThan(0);
    // the sim moves every second; the server's ticker cache holds a value for 2s
    await expect(btc).not.toHaveText(first ?? '', { timeout: 10_000 });
    const second = await btc.textContent();
    await expect(btc).not.toHaveText(second ?? '', { timeout: 10_000 });
    expect(streamFrames).toBeGreaterThan(2);
    // one snapshot for the first paint, then the stream
    expect(tickerPolls).toBe(1);
    await snap(page, 'markets-1280');
  });

  test('adds and removes a symbol, and the watchlist persists', async ({ page }) => {
    await page.goto('/');
    await expect(page.getByTestId('watch-row')).toHaveCount(5);

    await page.getByTestId('add-symbol').click();
    const search = page.getByRole('combobox', { name: 'Add symbol to watchlist' });
    await search.fill('ADA');
    await page.getByRole('option', { name: /ADA\/USDT/ }).click();
    const ada = page.locator('tr[data-symbol="ADA/USDT"]');
    await expect(ada).toBeVisible();
    await expect(ada.getByTestId('last')).toHaveText(/\d\.\d+/);

    await page.reload();
    await expect(page.locator('tr[data-symbol="ADA/USDT"]')).toBeVisible();
    await expect(page.getByTestId('watch-row')).toHaveCount(6);

    await page.getByRole('button', { name: 'Remove ADA/USDT' }).click();
    await expect(page.locator('tr[data-symbol="ADA/USDT"]')).toHaveCount(0);
    // from the keyboard: focus a row, move down, Delete removes the focused one
    await page.locator('tr[data-symbol="SOL/USDT"]').focus();
    await page.keyboard.press('ArrowDown');
    await expect(page.locator('tr[data-symbol="XRP/USDT"]')).toBeFocused();
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Delete');
    await expect(page.locator('tr[data-symbol="SOL/USDT"]')).toHaveCount(0);
    await expect(page.locator('tr[data-symbol="XRP/USDT"]')).toBeFocused();
    await page.getByRole('button', { name: 'Remove DOGE/USDT' }).click();
    await page.reload();
    await expect(page.getByTestId('watch-row')).toHaveCount(3);
    await expect(page.locator('tr[data-symbol="DOGE/USDT"]')).toHaveCount(0);

    // watch from the symbol view, then open it again by clicking its row
    await page.goto('/symbol?exchange=sim&symbol=LINK/USDT');
    await page.getByRole('button', { name: '☆ Watch' }).click();
    await expect(page.getByRole('button', { name: '★ Watching' })).toHaveAttribute('aria-pressed', 'true');
    await page.getByRole('link', { name: 'Markets' }).click();
    const link = page.locator('tr[data-symbol="LINK/USDT"]');
    await expect(link).toBeVisible();
    await link.getByTestId('last').click();
    await expect(page).toHaveURL(/symbol=LINK\/USDT/);
  });

  test('"/" focuses the symbol search, and the URL follows back and forward', async ({ page }) => {
    await page.goto('/');
    await expect(page.getByTestId('watch-row')).toHaveCount(5);
    await page.keyboard.press('/');
    const search = page.getByRole('combobox', { name: 'Search symbol' });
    await expect(search).toBeFocused();
    await search.fill('eth-usdt');
    await expect(page.getByRole('option').first()).toContainText('ETH/USDT');
    await page.keyboard.press('Enter');
    await expect(page).toHaveURL(/\/symbol\?exchange=sim&symbol=ETH\/USDT$/);
    await expect(page.getByRole('heading', { name: 'ETH/USDT' })).toBeVisible();

    await page.getByRole('button', { name: '15m' }).click();
    await expect(page).toHaveURL(/timeframe=15m/);

    await page.goBack();
    await expect(page).toHaveURL(/symbol=ETH\/USDT$/);
    await expect(page.getByRole('button', { name: '1m', exact: true })).toHaveAttribute(
      'aria-pressed',
      'true',
    );
    await page.goBack();
    await expect(page).toHaveURL(/\/$/);
    await expect(page.getByTestId('watch-row')).toHaveCount(5);
    await page.goForward();
    await expect(page.getByRole('heading', { name: 'ETH/USDT' })).toBeVisible();

    // a shared link opens the same state
    await page.goto('/symbol?exchange=sim&symbol=SOL/USDT&timeframe=1h');
    await expect(page.getByRole('heading', { name: 'SOL/USDT' })).toBeVisible();
    await expect(page.getByRole('button', { name: '1h' })).toHaveAttribute('aria-pressed', 'true');
  });

  test('stays usable on a 390 px phone', async ({ page }) => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto('/');
    await expect(page.getByTestId('watch-row')).toHaveCount(5);
    await expect(page.locator('tr[data-symbol="BTC/USDT"] [data-testid="last"]')).toBeVisible();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await snap(page, 'markets-390');

    await page.goto('/symbol?exchange=sim&symbol=BTC/USDT');
    await expect(page.getByTestId('book-level').first()).toBeVisible();
    await expect(page.getByTestId('chart')).not.toHaveAttribute('data-candles', '0');
    const overflowSymbol = await page.evaluate(
      () => document.documentElement.scrollWidth - window.innerWidth,
    );
    expect(overflowSymbol).toBeLessThanOrEqual(0);
    await snap(page, 'symbol-390');
  });
});
