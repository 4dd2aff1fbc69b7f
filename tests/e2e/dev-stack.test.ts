// `npm run dev`'s stack, started on free ports, in a real browser.
import { expect, it } from 'vitest';
import { devStackWithBrowser, openPage, withEvidence } from '../support/browser.ts';

const e2e = devStackWithBrowser();

it('serves the SPA, which connects to the local Instant server and shows the seeded catalog', async () => {
  const { page, console: lines, close } = await openPage(e2e.browser);
  await withEvidence('dev-stack-spa', page, lines, async () => {
    await page.goto(e2e.stack.url);
    await page.getByTestId('connection-status').filter({ hasText: 'authenticated' }).waitFor();
    await page.getByTestId('wallpaper-aurora').waitFor();
    expect(await page.locator('[data-testid^="wallpaper-"]').count()).toBe(8);
    expect(await page.getByTestId('payment-links').textContent()).toContain('Every wallpaper');
  });
  await close();
});

it('serves api/ functions at /api/* and the mailbox at /_local/mailbox', async () => {
  const health = await fetch(`${e2e.stack.url}/api/health`);
  expect(await health.json()).toEqual({ ok: true });
  expect((await fetch(`${e2e.stack.url}/api/nope`)).status).toBe(404);
  expect((await fetch(`${e2e.stack.url}/api/health`, { method: 'POST' })).status).toBe(405);
  const mailbox = await fetch(`${e2e.stack.url}/_local/mailbox`);
  expect(mailbox.status).toBe(200);
  expect(await mailbox.text()).toContain('Mailbox');
});

it('delivers Instant magic codes to the mailbox', async () => {
  const res = await fetch(`${e2e.stack.instant.url}/runtime/auth/send_magic_code`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ 'app-id': e2e.stack.instant.appId, email: 'Newcomer@Example.com' }),
  });
  expect(res.status).toBe(200);
  const mail = await e2e.stack.mailbox!.waitForMessage({ to: 'newcomer@example.com', withCode: true });
  expect(mail.subject).toMatch(/^\d{6} is your verification code/);
});
