// The credits page in Chromium against `npm run dev`'s stack: sign in with the code from the
// mailbox, buy a pack in another tab, see the balance rise live in the open page, write haikus
// until the 402 message.
import { describe, expect, it } from 'vitest';
import { devStackWithBrowser, openPage, screenshotForDocs, withEvidence } from '../support/browser.ts';

const e2e = devStackWithBrowser();

describe('credits page in a browser', () => {
  it('signs in with a mailed code, buys a pack, sees the balance rise live, writes haikus until 402', async () => {
    const { page, console: lines, close, expectError } = await openPage(e2e.browser);
    // The last haiku is refused with 402 (no credits left), which Chromium logs.
    expectError(/status of 402 \(Payment Required\) \(at http:\/\/localhost:\d+\/api\/generate,/);
    await withEvidence('credits-page', page, lines, async () => {
      const email = 'haiku-writer@example.com';
      await page.goto(`${e2e.stack.url}/credits`);
      await page.getByLabel('Email').fill(email);
      await page.getByRole('button', { name: 'Send code' }).click();
      await page.getByLabel('Code').waitFor();
      const mail = e2e.stack.mailbox!.messages({ to: email }).at(-1)!;
      const code = /\b(\d{6})\b/.exec(mail.text ?? '')![1];
      await page.getByLabel('Code').fill(code);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByTestId('signed-in-as').waitFor();
      await page.locator('[data-testid="balance"]:text-is("0")').waitFor();

      // Pay in a second tab of the same profile; the first one is never reloaded.
      const checkoutTab = await page.context().newPage();
      await checkoutTab.goto(`${e2e.stack.url}/credits`);
      await checkoutTab.getByTestId('buy-credits-small').click();
      await checkoutTab.getByTestId('checkout-form').waitFor();
      await checkoutTab.fill('#card', '4242 4242 4242 4242');
      await checkoutTab.getByRole('button', { name: /^Pay/ }).click();
      await checkoutTab.waitForURL(/\/success\?session_id=cs_/);
      await page.locator('[data-testid="balance"]:text-is("10")').waitFor();

      for (let left = 9; left >= 0; left--) {
        await page.getByLabel('Topic').fill(`snow ${left}`);
        await page.getByTestId('generate').click();
        await page.locator(`[data-testid="balance"]:text-is("${left}")`).waitFor();
      }
      expect(await page.getByTestId('haikus').locator('li').count()).toBe(10);
      await page.getByLabel('Topic').fill('one more');
      await page.getByTestId('generate').click();
      await page
        .getByTestId('generate-error')
        .filter({ hasText: /no credits left/i })
        .waitFor();
      expect(await page.getByTestId('ledger').locator('tbody tr').count()).toBe(11);
      await screenshotForDocs(page, 'credits-page');

      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByLabel('Email').waitFor();
    });
    await close();
  }, 90_000); // the first page load compiles the SPA
});
