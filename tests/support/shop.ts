// Shop helpers shared by the integration tests: signed-in users, checkouts and purchases made the
// way buyers make them (api/checkout, the hosted page's pay control, webhooks), and what they leave.
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { withReceiptsFailing, type ShopStack } from './shop-stack.ts';

export type SignedIn = { id: string; token: string; email: string };

/** A fresh user signed in through the admin SDK (the magic-code path has its own tests). */
export async function signIn(
  shop: ShopStack,
  email = `user-${randomUUID().slice(0, 8)}@example.com`,
): Promise<SignedIn> {
  const token = await shop.admin.auth.createToken(email);
  const user = await shop.admin.auth.verifyToken(token);
  return { id: user.id, token, email: email.trim().toLowerCase() };
}

export const bearer = (u: Pick<SignedIn, 'token'>) => ({ authorization: `Bearer ${u.token}` });

/** The Checkout Session id at the end of a hosted page's (or a redirect's) URL. */
export const sessionIdOf = (url: string) => new URL(url).pathname.split('/').pop()!;

/** An email no other test uses: `<name>.<random>@example.com`. */
export const uniqueEmail = (name: string) => `${name}.${randomUUID().slice(0, 6)}@example.com`;

const CARD = '4242424242424242';

/** A guest checkout (its pending purchase recorded): the token, the session id and the hosted page's URL. */
export async function checkout(shop: ShopStack, productId = 'wallpapers-warm', token = randomUUID()) {
  const res = await shop.post('/api/checkout', { token, productId });
  expect(res.status, await res.clone().text()).toBe(200);
  const { url } = (await res.json()) as { url: string };
  return { token, sessionId: sessionIdOf(url), url };
}

/** A guest checkout paid by `email` on the hosted page, its webhooks delivered. */
export async function buy(shop: ShopStack, productId: string, email: string, token = randomUUID()) {
  const c = await checkout(shop, productId, token);
  expect((await shop.pay(c.sessionId, { email, card: CARD })).status).toBe(200);
  await shop.stripeLocal.whenDeliveriesIdle();
  return c;
}

/** A guest checkout (pending purchase recorded); pays it when `email` is given. */
export async function guestCheckout(
  shop: ShopStack,
  productId = 'wallpapers-warm',
  email?: string,
  pay: Record<string, unknown> = {},
) {
  const { token, sessionId } = await checkout(shop, productId);
  if (email) expect((await shop.pay(sessionId, { email, card: CARD, ...pay })).status).toBe(200);
  return { token, sessionId };
}

/** A paid guest checkout whose receipt could not be sent (Resend refused the key), its webhooks done. */
export async function guestCheckoutReceiptFailed(shop: ShopStack, productId: string, email: string) {
  return withReceiptsFailing(async () => {
    const bought = await guestCheckout(shop, productId, email);
    await shop.stripeLocal.whenDeliveriesIdle();
    return bought;
  });
}

/** A credits pack checkout by a signed-in user; paid (as `u.email`) unless `pay` is false. */
export async function creditsCheckout(shop: ShopStack, u: SignedIn, packId = 'credits-small', pay = true) {
  const res = await shop.post('/api/credits/checkout', { packId }, bearer(u));
  expect(res.status, await res.clone().text()).toBe(200);
  const sessionId = sessionIdOf(((await res.json()) as { url: string }).url);
  if (pay) expect((await shop.pay(sessionId, { email: u.email, card: CARD })).status).toBe(200);
  return sessionId;
}

export async function purchaseOf(shop: ShopStack, sessionId: string): Promise<any> {
  const { purchases } = await shop.admin.query({ purchases: { $: { where: { sessionId } } } });
  expect(purchases.length).toBeLessThanOrEqual(1);
  return purchases[0];
}

export async function paymentIntentOf(shop: ShopStack, sessionId: string) {
  const s = await shop.stripe.checkout.sessions.retrieve(sessionId, { expand: ['payment_intent'] });
  const pi = s.payment_intent as { id: string; latest_charge: string };
  return { pi: pi.id, charge: pi.latest_charge };
}

/** The receipt emails the mailbox holds for `to`. */
export const receiptsTo = (shop: ShopStack, to: string) =>
  shop.mailbox.messages({ to }).filter((m) => m.subject.startsWith('Your receipt'));

/** Stops (or restarts) webhook deliveries to the shop, as an outage or a misconfigured endpoint would. */
export async function setWebhooks(shop: ShopStack, enabled: boolean) {
  await shop.stripe.webhookEndpoints.update(shop.webhookEndpointId, { disabled: !enabled });
}

/** Fetches a signed file URL, checks it is served as a private attachment of `type` named `filename`, and gives its bytes. */
export async function fetchAttachment(shop: ShopStack, url: string, type: string, filename: string): Promise<Buffer> {
  const file = await fetch(`${shop.api}${url}`);
  expect(file.status).toBe(200);
  expect(file.headers.get('content-type')).toBe(type);
  expect(file.headers.get('content-disposition')).toBe(`attachment; filename="${filename}"`);
  expect(file.headers.get('cache-control')).toBe('private, no-store');
  const bytes = Buffer.from(await file.arrayBuffer());
  expect(bytes.length).toBe(Number(file.headers.get('content-length')));
  return bytes;
}
