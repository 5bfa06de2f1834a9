import { expect, snap, test } from './fixtures';

test.describe('compare', () => {
  // binance is deliberately unreachable (the server's upstream points at a closed port): its 503s are expected
  test.use({ allowedConsoleErrors: /status of 503/ });

  test('shows one symbol across exchanges, with an actionable error for an unreachable one', async ({
    page,
  }) => {
    await page.goto('/compare?symbol=BTC/USDT&exchanges=sim,binance');
    const sim = page.locator('[data-testid="compare-row"][data-exchange="sim"]');
    await expect(sim).toContainText(/\d{2},\d{3}\.\d{2}/);
    await expect(sim.getByText('SIM', { exact: true })).toBeVisible();
    // a single reachable exchange holds both the best bid and the best ask
    await expect(sim.getByText('best')).toHaveCount(2);
    const binance = page.locator('[data-testid="compare-row"][data-exchange="binance"]');
    await expect(binance.getByRole('alert')).toHaveText(
      'binance is unreachable from the server (UPSTREAM_UNAVAILABLE), retrying',
      { timeout: 20_000 },
    );
    await snap(page, 'compare-1280');

    await page.getByRole('button', { name: 'Remove binance' }).click();
    await expect(page).toHaveURL(/exchanges=sim$/);
    await expect(page.getByTestId('compare-row')).toHaveCount(1);
  });
});

test.describe('status', () => {
  test('shows health, uptime, cache, feeds and upstream calls', async ({ page }) => {
    // make sure the sim has been called at least once
    await page.goto('/');
    await expect(page.getByTestId('watch-row').first()).toContainText(/\d/);
    await page.getByRole('link', { name: 'Status' }).click();
    await expect(page).toHaveURL(/\/status$/);
    await expect(page.getByTestId('stat-health')).toContainText('OK');
    await expect(page.getByTestId('stat-uptime')).toContainText(/\d+(s|m)/);
    await expect(page.getByTestId('stat-hit-rate')).toContainText(/\d+\.\d%/);
    await expect(page.getByTestId('stat-cache-size')).toContainText(/\d/);
    await expect(page.getByTestId('stat-feeds')).toContainText(/\d/);
    await expect(page.getByTestId('stat-rate-limited')).toContainText(/\d/);
    await expect(page.getByTestId('upstream-calls').locator('tr', { hasText: 'sim' })).toContainText(/\d/);
    await snap(page, 'status-1280');
  });
});

test.describe('errors', () => {
  // the unknown symbol's 404 answers are the point of this spec
  test.use({ allowedConsoleErrors: /status of 404/ });

  test('an unknown symbol in the URL says so', async ({ page }) => {
    await page.goto('/symbol?exchange=sim&symbol=NOPE/USDT');
    await expect(page.getByRole('alert').first()).toHaveText(
      'NOPE/USDT is not a market on sim (UNKNOWN_SYMBOL)',
    );
    await expect(page.getByRole('link', { name: 'watchlist' })).toBeVisible();
    await snap(page, 'error-unknown-symbol');
  });
});

test.describe('exchange picker', () => {
  // binance is deliberately unreachable: its 503s are expected
  test.use({ allowedConsoleErrors: /status of 503/ });

  test('switches exchange through the searchable list and explains an unreachable one', async ({ page }) => {
    await page.goto('/');
    await expect(page.getByTestId('watch-row')).toHaveCount(5);
    await page.getByTestId('exchange-button').click();
    const search = page.getByRole('combobox', { name: 'Exchanges' });
    await expect(search).toBeFocused();
    await search.fill('binance');
    await page.getByRole('option', { name: /^Binance binance$/ }).click();
    await expect(page).toHaveURL(/\?exchange=binance$/);
    await expect(page.getByTestId('watchlist').getByText('SIMULATED')).toHaveCount(0);
    await expect(page.getByTestId('watchlist').getByRole('alert').first()).toHaveText(
      /^binance is unreachable from the server \(UPSTREAM_UNAVAILABLE\), retrying/,
      { timeout: 20_000 },
    );
    // nothing of the previous exchange's prices may linger under binance
    await expect(page.getByTestId('last').first()).toHaveText('\u2014');
    await snap(page, 'markets-unreachable-exchange');

    await page.goBack();
    await expect(page.getByTestId('watch-row').first()).toContainText(/\d/);
    await expect(page.getByTestId('watchlist').getByText('SIMULATED')).toBeVisible();
  });
});
