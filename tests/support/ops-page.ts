// For browser tests of /ops against `npm run dev`'s stack (whose local operator is ops@example.com):
// purchases made as the shop makes them, and signing in on the page with the mailed code.
import { expect } from 'vitest';
import type { Page } from 'playwright-core';
import type { DevStack } from '../../local/dev/dev-stack.ts';

/** Pays a Checkout Session as the hosted page does, and waits until its webhooks are handled. */
export async function payOnStack(stack: DevStack, sessionId: string, email: string) {
  const paid = await fetch(`${stack.stripe!.url}/_local/checkout_sessions/${sessionId}/pay`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, card: '4242424242424242' }),
  });
  expect(paid.status).toBe(200);
  await stack.stripe!.whenDeliveriesIdle();
}

/** A guest buys a catalog product as the shop does it: api/checkout, then the hosted page's pay. */
export async function guestPurchase(stack: DevStack, email: string, productId = 'wallpapers-warm'): Promise<string> {
  const res = await fetch(`${stack.url}/api/checkout`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token: crypto.randomUUID(), productId }),
  });
  const sessionId = new URL((await res.json()).url).pathname.split('/').pop()!;
  await payOnStack(stack, sessionId, email);
  return sessionId;
}

/** Opens /ops and signs in with the code the mailbox received. */
export async function signInOnOps(page: Page, stack: DevStack, email: string) {
  await page.goto(`${stack.url}/ops`);
  await page.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: 'Send code' }).click();
  await page.getByLabel('Code').waitFor();
  const mail = await stack.mailbox!.waitForMessage({ to: email, withCode: true });
  const code = /\b(\d{6})\b/.exec(mail.subject)![1];
  await page.getByLabel('Code').fill(code);
  await page.getByRole('button', { name: 'Sign in' }).click();
}
