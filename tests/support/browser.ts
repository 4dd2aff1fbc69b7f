// Debian's Chromium driven by playwright-core. Failures keep a screenshot and the console log
// under test-results/ so a red run can be read without re-running it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { startDevStack, type DevStack } from '../../local/dev/dev-stack.ts';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

/** A fresh profile (its own localStorage) with its console captured. */
export async function openPage(browser: Browser): Promise<{ page: Page; console: string[]; close(): Promise<void> }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const lines: string[] = [];
  page.on('console', (m) => lines.push(`[${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => lines.push(`[pageerror] ${e.message}`));
  return { page, console: lines, close: () => context.close() };
}

/** Runs a browser step; on failure saves a screenshot and the console before rethrowing. */
export async function withEvidence<T>(name: string, page: Page, lines: string[], fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    const dir = join('test-results', name.replace(/[^a-z0-9-]+/gi, '-'));
    mkdirSync(dir, { recursive: true });
    await page.screenshot({ path: join(dir, 'page.png'), fullPage: true }).catch(() => {});
    writeFileSync(join(dir, 'console.log'), lines.join('\n'));
    throw e;
  }
}

/** With UPDATE_SCREENSHOTS=1, saves the page for README (docs/screenshots); otherwise does nothing. */
export async function screenshotForDocs(page: Page, name: string) {
  if (process.env.UPDATE_SCREENSHOTS !== '1') return;
  mkdirSync('docs/screenshots', { recursive: true });
  await page.screenshot({ path: join('docs/screenshots', `${name}.png`), fullPage: true });
}

/**
 * For a browser test file: `npm run dev`'s stack on free ports (nothing kept on disk) and one
 * Chromium, started before the file's tests and closed after them.
 */
export function devStackWithBrowser(opts: { before?: () => void } = {}) {
  const ctx: { stack?: DevStack; browser?: Browser } = {};
  beforeAll(async () => {
    opts.before?.();
    ctx.stack = await startDevStack({ settings: { PORT: 0 }, memory: true, quiet: true });
    ctx.browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await ctx.browser?.close();
    await ctx.stack?.close();
  });
  return {
    get stack(): DevStack {
      return ctx.stack!;
    },
    get browser(): Browser {
      return ctx.browser!;
    },
  };
}
