// The operator page in Chromium against `npm run dev`'s stack (whose local operator is
// ops@example.com): sign in with the code from the mailbox, find a buyer by email typed in
// another case, refund, and see the webhook's revocation; a non-operator is told so.
import { describe, expect, it } from 'vitest';
import { devStackWithBrowser, openPage, screenshotForDocs, withEvidence } from '../support/browser.ts';
import { guestPurchase, signInOnOps } from '../support/ops-page.ts';

const e2e = devStackWithBrowser({
  before: () => {
    delete process.env.OPERATOR_EMAILS;
  },
});

describe('operator page in a browser', () => {
  it('signs an operator in with the mailed code, finds a buyer by email, refunds, and sees access revoked', async () => {
    const sessionId = await guestPurchase(e2e.stack, 'buyer.ops@example.com');
    const { page, console: lines, close } = await openPage(e2e.browser);
    await withEvidence('ops-page', page, lines, async () => {
      await signInOnOps(page, e2e.stack, 'ops@example.com');
      await page.getByTestId('ops-console').waitFor();
      // /ops opens on the overview; finding a buyer is under the tools tab.
      await page.getByRole('link', { name: 'Buyers, webhooks and audit' }).click();
      await page.getByTestId('ops-find-email').fill('Buyer.Ops@Example.com');
      await page.getByTestId('ops-find-submit').click();
      const row = page.getByTestId(`ops-purchase-${sessionId}`);
      await row.and(page.locator('[data-status="paid"]')).waitFor();
      expect(await row.textContent()).toContain('Warm trio');
      expect(await row.textContent()).toMatch(/pi_\w+/);
      expect(await page.getByTestId('ops-find-result').getAttribute('data-email')).toBe('buyer.ops@example.com');
      await screenshotForDocs(page, 'ops-page');

      await row.getByTestId('ops-refund').click();
      await row
        .getByTestId('ops-action-result')
        .filter({ hasText: /Refund re_\w+/ })
        .waitFor();
      // Access goes when Stripe's charge.refunded webhook has been handled; then a refresh shows it.
      await e2e.stack.stripe!.whenDeliveriesIdle();
      await page.getByRole('button', { name: 'Refresh' }).click();
      await page.locator(`[data-testid="ops-purchase-${sessionId}"][data-status="refunded"]`).waitFor();
      expect(await page.getByTestId(`ops-purchase-${sessionId}`).locator('td').nth(2).textContent()).toBe('refunded');
      await page.getByTestId('ops-audit-rows').locator('tr[data-action="refund"]').first().waitFor();
      expect(
        await page.getByTestId('ops-audit-rows').locator('tr[data-action="refund"]').first().textContent(),
      ).toContain('ops@example.com');
    });
    await close();
  }, 90_000); // the first page load compiles the SPA

  it('tells a signed-in non-operator that the account is not an operator', async () => {
    const { page, console: lines, close, expectError } = await openPage(e2e.browser);
    // The page asks api/ops/me, which refuses a non-operator with 403; Chromium logs it.
    expectError(/status of 403 \(Forbidden\) \(at http:\/\/localhost:\d+\/api\/ops\/me,/);
    await withEvidence('ops-not-operator', page, lines, async () => {
      await signInOnOps(page, e2e.stack, 'not-ops@example.com');
      await page.getByTestId('not-operator').waitFor();
      expect(await page.getByTestId('not-operator').textContent()).toBe('This account is not an operator.');
      expect(await page.getByTestId('ops-console').count()).toBe(0);
    });
    await close();
  });
});
