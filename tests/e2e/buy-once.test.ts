// The guest's whole experience in Chromium against `npm run dev`'s stack: buy with 4242…, come
// back to the success page and see the wallpapers unlock without a reload, download one; a
// declined card; recovery in a fresh profile; a refund revoking access in an open tab.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { devStackWithBrowser, openPage, screenshotForDocs, withEvidence } from '../support/browser.ts';

const e2e = devStackWithBrowser();

async function buyWarmTrio(page: Page, card: string, email: string, productId = 'wallpapers-warm') {
  await page.goto(e2e.stack.url);
  await page.getByTestId('wallpaper-dune').waitFor();
  await page.getByTestId(`buy-${productId}`).click();
  await page.getByTestId('checkout-form').waitFor();
  await page.fill('#email', email);
  await page.fill('#card', card);
  await page.getByRole('button', { name: /^Pay/ }).click();
}

describe('guest purchase in a browser', () => {
  it('pays, returns to the success page, sees the wallpapers unlock live, and downloads one', async () => {
    const { page, console: lines, close } = await openPage(e2e.browser);
    await withEvidence('guest-buys', page, lines, async () => {
      await buyWarmTrio(page, '4242 4242 4242 4242', 'browser-buyer@example.com');
      await page.waitForURL(/\/success\?session_id=cs_/);
      // Unlocked on the success page, live: no reload happens in this test.
      await page.locator('[data-testid="wallpaper-dune"][data-unlocked="true"]').waitFor();
      const token = await page.evaluate(() => JSON.parse(localStorage.getItem('instant-shop.purchase-tokens')!)[0]);
      expect(page.url()).not.toContain(token);
      await screenshotForDocs(page, 'success-page');
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-dune').click()]);
      expect(download.suggestedFilename()).toBe('dune.png');
      const path = await download.path();
      const { readFileSync } = await import('node:fs');
      expect(readFileSync(path).subarray(1, 4).toString()).toBe('PNG');
      // Back in the shop the three are unlocked and the rest stay locked.
      await page.goto(e2e.stack.url);
      await page.locator('[data-testid="wallpaper-ember"][data-unlocked="true"]').waitFor();
      expect(await page.locator('[data-testid="wallpaper-aurora"]').getAttribute('data-unlocked')).toBe('false');
      await screenshotForDocs(page, 'shop-page');
    });
    await close();
  });

  it('buys a download as a guest and downloads it from the success page and from the shop', async () => {
    const { page, console: lines, close } = await openPage(e2e.browser);
    await withEvidence('guest-download', page, lines, async () => {
      await buyWarmTrio(page, '4242424242424242', 'guide-reader@example.com', 'field-guide');
      await page.waitForURL(/\/success\?session_id=cs_/);
      const [fromSuccess] = await Promise.all([
        page.waitForEvent('download'),
        page.getByTestId('download-purchase').click(),
      ]);
      expect(fromSuccess.suggestedFilename()).toBe('wallpaper-field-guide.pdf');
      const { readFileSync } = await import('node:fs');
      expect(
        readFileSync(await fromSuccess.path())
          .subarray(0, 5)
          .toString(),
      ).toBe('%PDF-');
      await page.goto(e2e.stack.url);
      const again = page.locator('[data-testid^="download-purchase-"]');
      const [fromShop] = await Promise.all([page.waitForEvent('download'), again.first().click()]);
      expect(fromShop.suggestedFilename()).toBe('wallpaper-field-guide.pdf');
    });
    await close();
  });

  it('shows a declined card on the checkout page and records nothing as paid', async () => {
    const { page, console: lines, close, expectError } = await openPage(e2e.browser);
    // The hosted page's pay call answers 402 for a declined card, which Chromium logs.
    expectError(
      /status of 402 \(Payment Required\) \(at http:\/\/127\.0\.0\.1:\d+\/.*, page http:\/\/127\.0\.0\.1:\d+\/c\/pay\/cs_/,
    );
    await withEvidence('declined-card', page, lines, async () => {
      await buyWarmTrio(page, '4000 0000 0000 0002', 'declined-browser@example.com');
      await expect(page.getByRole('alert').textContent()).resolves.toMatch(/declined/i);
      const { purchases } = await adminQuery({
        purchases: { $: { where: { email: 'declined-browser@example.com' } } },
      });
      expect(purchases).toEqual([]);
    });
    await close();
  });

  it('recovers a purchase in a fresh browser profile with the code from the mailbox', async () => {
    const buyer = await openPage(e2e.browser);
    await withEvidence('recover-buy', buyer.page, buyer.console, async () => {
      await buyWarmTrio(buyer.page, '4242424242424242', 'Recover.Me@Example.com');
      await buyer.page.locator('[data-testid="wallpaper-dune"][data-unlocked="true"]').waitFor();
    });
    await buyer.close();

    const fresh = await openPage(e2e.browser);
    await withEvidence('recover-fresh', fresh.page, fresh.console, async () => {
      const { page } = fresh;
      await page.goto(`${e2e.stack.url}/recover`);
      await page.getByLabel('Email').fill('recover.me@example.com');
      await page.getByRole('button', { name: 'Send code' }).click();
      const mail = await e2e.stack.mailbox!.waitForMessage({ to: 'recover.me@example.com', withCode: true });
      const code = /\b(\d{6})\b/.exec(mail.subject)![1];
      await page.getByLabel('Code').fill(code);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByTestId('recovered').waitFor();
      expect(await page.getByTestId('purchases').textContent()).toContain('Warm trio');
      // Signed out again; the token alone now unlocks.
      await page.goto(e2e.stack.url);
      await page.locator('[data-testid="wallpaper-citrus"][data-unlocked="true"]').waitFor();
    });
    await fresh.close();
  });

  it('revokes access live in an open tab when the payment is refunded', async () => {
    const { page, console: lines, close } = await openPage(e2e.browser);
    await withEvidence('refund-revokes', page, lines, async () => {
      await buyWarmTrio(page, '4242424242424242', 'refund-browser@example.com');
      await page.locator('[data-testid="wallpaper-dune"][data-unlocked="true"]').waitFor();
      await page.goto(e2e.stack.url);
      await page.locator('[data-testid="wallpaper-dune"][data-unlocked="true"]').waitFor();
      const { purchases } = await adminQuery({ purchases: { $: { where: { email: 'refund-browser@example.com' } } } });
      const res = await fetch(`${e2e.stack.stripe!.url}/v1/refunds`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${e2e.stack.stripe!.secretKey}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ payment_intent: purchases[0].paymentIntentId }),
      });
      expect(res.status).toBe(200);
      await page.locator('[data-testid="wallpaper-dune"][data-unlocked="false"]').waitFor();
      await page.locator('[data-testid="purchases"] li[data-status="refunded"]').waitFor();
    });
    await close();
  });
});

async function adminQuery(q: unknown): Promise<any> {
  const res = await fetch(`${e2e.stack.instant.url}/admin/query?app_id=${e2e.stack.instant.appId}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${e2e.stack.instant.adminToken}`,
      'app-id': e2e.stack.instant.appId,
    },
    body: JSON.stringify({ query: q }),
  });
  return res.json();
}
