// The browser tests' Chromium comes with `npm ci`: the pinned @sparticuz/chromium package's binary,
// unpacked once, driven by the pinned playwright-core (CHROMIUM_PATH, when set, replaces it).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { launchBrowser } from '../support/browser.ts';
import { chromiumPath, packagedChromiumDir, packagedChromiumVersion } from '../support/chromium.ts';

it('launches the packaged Chromium (or CHROMIUM_PATH) and drives a page with it', async () => {
  const path = await chromiumPath();
  if (process.env.CHROMIUM_PATH) {
    expect(path).toBe(process.env.CHROMIUM_PATH);
  } else {
    expect(path).toBe(join(packagedChromiumDir(), 'chromium'));
    expect(existsSync(path)).toBe(true);
  }
  const browser = await launchBrowser();
  try {
    if (!process.env.CHROMIUM_PATH) {
      expect(browser.version().split('.')[0]).toBe(packagedChromiumVersion().split('.')[0]);
    }
    const page = await browser.newPage();
    await page.setContent('<button onclick="this.textContent = 2 + 2">add</button>');
    await page.getByRole('button').click();
    expect(await page.getByRole('button').textContent()).toBe('4');
  } finally {
    await browser.close();
  }
});
