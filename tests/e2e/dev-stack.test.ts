// `npm run dev`'s stack, started on free ports, in a real browser.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startDevStack, type DevStack } from '../../local/dev/dev-stack.ts';
import { launchBrowser, openPage, withEvidence } from '../support/browser.ts';

let stack: DevStack;
let browser: Browser;

beforeAll(async () => {
  stack = await startDevStack({ settings: { PORT: 0 }, memory: true, quiet: true });
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

it('serves the SPA, which connects to the local Instant server and shows the seeded catalog', async () => {
  const { page, console: lines, close } = await openPage(browser);
  await withEvidence('dev-stack-spa', page, lines, async () => {
    await page.goto(stack.url);
    await page.getByTestId('connection-status').filter({ hasText: 'authenticated' }).waitFor();
    await page.getByTestId('wallpaper-aurora').waitFor();
    expect(await page.locator('[data-testid^="wallpaper-"]').count()).toBe(8);
    expect(await page.getByTestId('payment-links').textContent()).toContain('Every wallpaper');
  });
  await close();
});

it('serves api/ functions at /api/* and the mailbox at /_local/mailbox', async () => {
  const health = await fetch(`${stack.url}/api/health`);
  expect(await health.json()).toEqual({ ok: true, instant: true, stripe: true });
  expect((await fetch(`${stack.url}/api/nope`)).status).toBe(404);
  expect((await fetch(`${stack.url}/api/health`, { method: 'POST' })).status).toBe(405);
  const mailbox = await fetch(`${stack.url}/_local/mailbox`);
  expect(mailbox.status).toBe(200);
  expect(await mailbox.text()).toContain('Mailbox');
});

it('delivers Instant magic codes to the mailbox', async () => {
  const res = await fetch(`${stack.instant.url}/runtime/auth/send_magic_code`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ 'app-id': stack.instant.appId, email: 'Newcomer@Example.com' }),
  });
  expect(res.status).toBe(200);
  const mail = await stack.mailbox!.waitForMessage({ to: 'newcomer@example.com', withCode: true });
  expect(mail.subject).toMatch(/^\d{6} is your verification code/);
});
