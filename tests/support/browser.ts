// The pinned package's Chromium (or CHROMIUM_PATH) driven by playwright-core. Every page's console
// is collected and an error in it fails the test; failures keep a screenshot and the console log
// under test-results/ so a red run can be read without re-running it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { startDevStack, type DevStack } from '../../local/dev/dev-stack.ts';
import { chromiumPath } from './chromium.ts';

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: await chromiumPath(),
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
}

export type OpenPage = {
  page: Page;
  /** Every console line and page error of every tab in the profile, in order. */
  console: string[];
  /** Declares an error the test provokes on purpose (e.g. the 402 of a refused request). */
  expectError(pattern: RegExp): void;
  /** Closes the profile and fails if any tab logged an error that was not expected. */
  close(): Promise<void>;
};

/** A fresh profile (its own localStorage; `options`: e.g. its time zone, viewport) with the console of all its tabs captured. */
export async function openPage(browser: Browser, options: BrowserContextOptions = {}): Promise<OpenPage> {
  const context = await browser.newContext(options);
  const lines: string[] = [];
  const errors: string[] = [];
  const expected: RegExp[] = [];
  context.on('console', (m) => {
    // For a failed request, location is the resource's URL; otherwise the script's.
    const line = `[${m.type()}] ${m.text()} (at ${m.location().url || 'unknown'}, page ${m.page()?.url() ?? 'none'})`;
    lines.push(line);
    if (m.type() === 'error') errors.push(line);
  });
  context.on('weberror', (e) => {
    const line = `[pageerror] ${e.error().message} (page ${e.page()?.url() ?? 'none'})`;
    lines.push(line);
    errors.push(line);
  });
  const page = await context.newPage();
  return {
    page,
    console: lines,
    expectError: (pattern) => void expected.push(pattern),
    close: async () => {
      await context.close();
      const unexpected = errors.filter((e) => !expected.some((p) => p.test(e)));
      if (unexpected.length) throw new Error(`errors in the browser console:\n${unexpected.join('\n')}`);
    },
  };
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
export async function screenshotForDocs(page: Page, name: string, { fullPage = true } = {}) {
  if (process.env.UPDATE_SCREENSHOTS !== '1') return;
  mkdirSync('docs/screenshots', { recursive: true });
  await page.screenshot({ path: join('docs/screenshots', `${name}.png`), fullPage });
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
