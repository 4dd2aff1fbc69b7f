// `npm run dev`'s stack, started on free ports, in a real browser.
import type { Page, WebSocketRoute } from 'playwright-core';
import { expect, it } from 'vitest';
import { devStackWithBrowser, openPage, withEvidence } from '../support/browser.ts';

const e2e = devStackWithBrowser();

/** Opens the shop as a guest, waits until it is connected, runs `use`, and keeps evidence under `name`. */
async function asGuest(name: string, use: (page: Page) => Promise<void>) {
  const { page, console: lines, close } = await openPage(e2e.browser);
  await withEvidence(name, page, lines, async () => {
    await page.goto(e2e.stack.url);
    await page.locator('[data-connection="authenticated"]').waitFor();
    await use(page);
  });
  await close();
}

it('serves the SPA, which connects to the local Instant server and shows the seeded catalog', async () => {
  await asGuest('dev-stack-spa', async (page) => {
    await page.getByTestId('wallpaper-aurora').waitFor();
    expect(await page.locator('[data-testid^="wallpaper-"]').count()).toBe(8);
  });
});

it('shows a guest products and payment links in buyer words, and no connection badge', async () => {
  await asGuest('dev-stack-storefront', async (page) => {
    // Each payment link sits in the card of the product it buys and says where it lands.
    const all = page.getByTestId('product-wallpapers-all');
    expect(await all.locator('h3').textContent()).toBe('Every wallpaper');
    expect(await all.locator('.price').textContent()).toBe('$12.00');
    expect(await all.getByTestId('link-wallpapers-all').count()).toBe(1);
    expect(await all.getByTestId('link-note-wallpapers-all').textContent()).toMatch(/unlocks in this browser/i);
    const credits = page.getByTestId('account-products').getByTestId('product-credits-small');
    expect(await credits.getByTestId('link-note-credits-small').textContent()).toBe(
      'Credits go to the account of the email you pay with — sign in with it at /credits.',
    );
    expect(await page.getByTestId('product-plan-medium').getByTestId('link-note-plan-medium').textContent()).toMatch(
      /^The plan goes to the account/,
    );
    expect(await page.getByText(/authenticated|connecting/i).count()).toBe(0);
    expect(await page.getByTestId('connection-problem').count()).toBe(0);
  });
});

it('tells a guest, in words, only while the shop cannot be reached', async () => {
  const { page, console: lines, close, expectError } = await openPage(e2e.browser);
  expectError(/net::ERR_INTERNET_DISCONNECTED/); // what the page was still loading when the network went
  await withEvidence('dev-stack-connection-problem', page, lines, async () => {
    // The browser goes offline and its socket to Instant drops; back online, it reconnects.
    const sockets: WebSocketRoute[] = [];
    await page.routeWebSocket(/\/runtime\/session/, (ws) => {
      sockets.push(ws);
      ws.connectToServer();
    });
    await page.goto(e2e.stack.url);
    await page.locator('[data-connection="authenticated"]').waitFor();
    const notice = page.getByTestId('connection-problem');
    expect(await notice.count()).toBe(0);
    await page.context().setOffline(true);
    await Promise.all(sockets.map((ws) => ws.close({ code: 1006, reason: 'network gone' })));
    await notice.waitFor();
    expect(await notice.textContent()).toMatch(/can't reach the shop right now/i);
    await page.context().setOffline(false);
    await page.locator('[data-connection="authenticated"]').waitFor();
    expect(await notice.count()).toBe(0);
  });
  await close();
});

it('logs no console error on any page a guest can open, favicon included', async () => {
  const { page, console: lines, close } = await openPage(e2e.browser);
  await withEvidence('dev-stack-every-page', page, lines, async () => {
    await page.goto(e2e.stack.url);
    await page.getByTestId('wallpaper-aurora').waitFor();
    // The browser fetches the icon outside the page's network events: fetch what the page names.
    const icon = await page.locator('link[rel="icon"]').getAttribute('href');
    const favicon = await page.request.get(new URL(icon!, page.url()).href);
    expect(favicon.status()).toBe(200);
    expect(favicon.headers()['content-type']).toContain('image/svg+xml');
    const pages: [string, string][] = [
      ['/recover', 'Recover your purchases'],
      ['/credits', 'Haiku credits'],
      ['/account', 'Your account'],
      ['/ops', 'Operators'],
      ['/success', 'No checkout to confirm'],
      ['/no-such-page', 'Nothing here'],
    ];
    for (const [path, text] of pages) {
      await page.goto(`${e2e.stack.url}${path}`);
      await page.getByText(text).first().waitFor();
      await page.locator('[data-connection="authenticated"]').waitFor();
    }
  });
  await close(); // fails on any console error or page error seen above
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
