import { test as base, expect } from '@playwright/test';
import type { Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const screenshotDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'test-results', 'screenshots');

interface Fixtures {
  /** Console errors a spec expects (e.g. the 404 of an unknown symbol); anything else fails it. */
  allowedConsoleErrors: RegExp | null;
  consoleErrors: string[];
}

export const test = base.extend<Fixtures>({
  // eslint-disable-next-line no-empty-pattern -- Playwright reads a fixture's dependencies from this pattern
  baseURL: async ({}, use) => {
    const url = process.env.MARKETGATE_E2E_URL;
    if (!url) throw new Error('MARKETGATE_E2E_URL is not set: the global setup did not run');
    await use(url);
  },
  allowedConsoleErrors: [null, { option: true }],
  consoleErrors: [
    async ({ page, allowedConsoleErrors }, use) => {
      const errors: string[] = [];
      page.on('console', (message) => {
        if (message.type() !== 'error') return;
        const text = `${message.text()} ${message.location().url ?? ''}`.trim();
        if (!allowedConsoleErrors?.test(text)) errors.push(text);
      });
      page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
      await use(errors);
      expect(errors, 'console errors').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };

/** Saves a full-page screenshot under apps/web/test-results/screenshots/. */
export async function snap(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: resolve(screenshotDir, `${name}.png`), fullPage: true });
}

/** The numeric text of a price cell, e.g. "71,949.40" → 71949.4 */
export function priceOf(text: string | null): number {
  return Number((text ?? '').replace(/[^\d.\u2212-]/g, '').replace('\u2212', '-'));
}
