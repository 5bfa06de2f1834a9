import type { Page } from '@playwright/test';
import { expect, snap, test } from './fixtures';

/** Pixels of the chart's main canvas painted in the candle colours (green #3fb68b, red #e5534b). */
async function candlePixels(page: Page): Promise<number> {
  return page.evaluate(() => {
    const canvases = [...document.querySelectorAll<HTMLCanvasElement>('[data-testid="chart"] canvas')];
    const biggest = canvases.sort((a, b) => b.width * b.height - a.width * a.height)[0];
    const ctx = biggest?.getContext('2d');
    if (!biggest || !ctx) return 0;
    const { data } = ctx.getImageData(0, 0, biggest.width, biggest.height);
    const near = (i: number, r: number, g: number, b: number) =>
      Math.abs(data[i]! - r) + Math.abs(data[i + 1]! - g) + Math.abs(data[i + 2]! - b) < 30;
    let painted = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (near(i, 0x3f, 0xb6, 0x8b) || near(i, 0xe5, 0x53, 0x4b)) painted++;
    }
    return painted;
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
    await expect.poll(() => candlePixels(page)).toBeGreaterThan(2_000);

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
    await expect.poll(() => candlePixels(page)).toBeGreaterThan(2_000);
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
