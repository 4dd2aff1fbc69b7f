// Helpers for the operator tests: signed-in users, calls to api/ops/*, and purchases made the
// way buyers make them (api/checkout, the hosted page's pay control, webhooks).
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { startShopStack, type ShopStack } from './shop-stack.ts';

export type SignedIn = { id: string; token: string; email: string };

export async function signIn(shop: ShopStack, email = `user-${randomUUID().slice(0, 8)}@example.com`): Promise<SignedIn> {
  const token = await shop.admin.auth.createToken(email);
  const user = await shop.admin.auth.verifyToken(token);
  return { id: user.id, token, email: email.trim().toLowerCase() };
}

export async function ops<T = any>(shop: ShopStack, who: SignedIn, command: string, body: unknown = {}): Promise<T> {
  const res = await shop.post(`/api/ops/${command}`, body, { authorization: `Bearer ${who.token}` });
  const text = await res.text();
  expect(res.status, `${command}: ${text}`).toBe(200);
  return JSON.parse(text) as T;
}

/** A guest checkout (pending purchase recorded); pays it when `email` is given. */
export async function guestCheckout(shop: ShopStack, productId = 'wallpapers-warm', email?: string, pay: Record<string, unknown> = {}) {
  const token = randomUUID();
  const res = await shop.post('/api/checkout', { token, productId });
  expect(res.status).toBe(200);
  const sessionId = new URL((await res.json()).url).pathname.split('/').pop()!;
  if (email) expect((await shop.pay(sessionId, { email, card: '4242424242424242', ...pay })).status).toBe(200);
  return { token, sessionId };
}

/** A credits pack bought by a signed-in user, paid. */
export async function creditsCheckout(shop: ShopStack, u: SignedIn, packId = 'credits-small', pay = true) {
  const res = await shop.post('/api/credits/checkout', { packId }, { authorization: `Bearer ${u.token}` });
  expect(res.status).toBe(200);
  const sessionId = new URL((await res.json()).url).pathname.split('/').pop()!;
  if (pay) expect((await shop.pay(sessionId, { email: u.email, card: '4242424242424242' })).status).toBe(200);
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

export const receiptsTo = (shop: ShopStack, to: string) => shop.mailbox.messages({ to }).filter((m) => m.subject.startsWith('Your receipt'));

/** Stops (or restarts) webhook deliveries to the shop, as an outage or a misconfigured endpoint would. */
export async function setWebhooks(shop: ShopStack, enabled: boolean) {
  await shop.stripe.webhookEndpoints.update(shop.webhookEndpointId, { disabled: !enabled });
}

/** The shop's back end with ops@example.com as its operator, signed in. */
export async function startShopWithOperator(): Promise<{ shop: ShopStack; operator: SignedIn }> {
  const shop = await startShopStack();
  process.env.OPERATOR_EMAILS = 'ops@example.com';
  return { shop, operator: await signIn(shop, 'ops@example.com') };
}
