import type { Page } from '@playwright/test';
import { expect, snap, test } from './fixtures';

/** Counts distinct colours in the chart's main canvas: a drawn chart has many, a blank one one or two. */
async function canvasColours(page: Page): Promise<number> {
  return page.evaluate(() => {
    const canvases = [...document.querySelectorAll<HTMLCanvasElement>('[data-testid="chart"] canvas')];
    const biggest = canvases.sort((a, b) => b.width * b.height - a.width * a.height)[0];
    if (!biggest) return 0;
    const ctx = biggest.getContext('2d');
    if (!ctx) return 0;
    const { data } = ctx.getImageData(0, 0, biggest.width, biggest.height);
    const colours = new Set<number>();
    for (let i = 0; i < data.length; i += 4 * 7) {
      colours.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
      if (colours.size > 50) break;
    }
    return colours.size;
  });
}

test.describe('symbol view', () => {
  test('draws the chart, fills the order book and lists trades', async ({ page }) => {
    await page.goto('/symbol?exchange=sim&symbol=BTC/USDT');
    await expect(page.getByRole('heading', { name: 'BTC/USDT' })).toBeVisible();
    await expect(page.getByTestId('symbol-view').getByText('SIMULATED')).toBeVisible();

    const chart = page.getByTestId('chart');
    await expect(chart).toHaveAttribute('data-key', 'sim|BTC/USDT|1m');
    await expect
      .poll(async () => Number(await chart.getAttribute('data-candles')))
      .toBeGreaterThanOrEqual(100);
    await expect.poll(() => canvasColours(page)).toBeGreaterThan(10);

    const levels = page.getByTestId('book-level');
    await expect.poll(() => levels.count()).toBeGreaterThanOrEqual(20);
    await expect(page.getByTestId('book-mid')).toContainText('spread');
    await expect(page.getByTestId('trades').locator('tbody tr').first()).toContainText(/\d{2}:\d{2}:\d{2}/);
    await snap(page, 'symbol-1280');
  });

  test('switching the timeframe reloads the candles', async ({ page }) => {
    await page.goto('/symbol?exchange=sim&symbol=ETH/USDT');
    const chart = page.getByTestId('chart');
    await expect(chart).toHaveAttribute('data-key', 'sim|ETH/USDT|1m');

    const request = page.waitForRequest(
      (r) => r.url().includes('market.ohlcv') && r.url().includes('%221h%22'),
    );
    await page.getByRole('button', { name: '1h' }).click();
    await request;
    await expect(page).toHaveURL(/timeframe=1h/);
    await expect(chart).toHaveAttribute('data-key', 'sim|ETH/USDT|1h');
    await expect
      .poll(async () => Number(await chart.getAttribute('data-candles')))
      .toBeGreaterThanOrEqual(100);
    await expect.poll(() => canvasColours(page)).toBeGreaterThan(10);
  });

  test('scrolling left loads older candles', async ({ page }) => {
    await page.goto('/symbol?exchange=sim&symbol=BTC/USDT&timeframe=5m');
    const chart = page.getByTestId('chart');
    await expect.poll(async () => Number(await chart.getAttribute('data-candles'))).toBe(500);
    const box = await chart.boundingBox();
    if (!box) throw new Error('chart has no box');
    // drag the time axis to the right, several times, until the oldest candles come into view
    for (let i = 0; i < 6; i++) {
      await page.mouse.move(box.x + 60, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width - 80, box.y + box.height / 2, { steps: 8 });
      await page.mouse.up();
      if (Number(await chart.getAttribute('data-candles')) > 500) break;
    }
    await expect.poll(async () => Number(await chart.getAttribute('data-candles'))).toBeGreaterThan(500);
  });
});
