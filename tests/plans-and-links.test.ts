// Plans (one-time, only upwards, reverted by refunds and lost disputes), payment links (buyer
// from client_reference_id, else email), delayed payments and receipts, for every kind.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purchaseIdFor } from '../api/_lib/fulfillment/purchase-ids.ts';
import { createLocalPaymentLinks } from '../local/dev/payment-links.ts';
import { clientFor, nextResult } from './support/instant-clients.ts';
import { startShopStack, withReceiptsFailing, type ShopStack } from './support/shop-stack.ts';
import schema from '../instant.schema.ts';
import { bearer, sessionIdOf, signIn } from './support/shop.ts';

let shop: ShopStack;
let links: Record<string, string>;

beforeAll(async () => {
  shop = await startShopStack();
  links = await createLocalPaymentLinks(shop.stripeLocal.url, shop.stripeLocal.secretKey, shop.api);
});
afterAll(() => shop.close());

const signedIn = async (email: string) => {
  const user = await signIn(shop, email);
  return { ...user, auth: bearer(user) };
};

async function buyPlan(user: { auth: Record<string, string> }, planId: string, email: string) {
  const res = await shop.post('/api/plans/checkout', { planId }, user.auth);
  expect(res.status).toBe(200);
  const sessionId = sessionIdOf((await res.json()).url);
  await shop.pay(sessionId, { email, card: '4242424242424242' });
  await shop.stripeLocal.whenDeliveriesIdle();
  return sessionId;
}

const planOf = async (userId: string) =>
  (await shop.admin.query({ $users: { $: { where: { id: userId } } } })).$users[0]?.plan ?? null;

describe('plans', () => {
  it('sets the plan live, refuses the same or a lower plan before checkout, and allows a higher one', async () => {
    const user = await signedIn('planner@example.com');
    const db = clientFor(shop.instant, schema);
    await db.auth.signInWithToken(user.token);
    const shown = nextResult(db, { $users: {} }, (r) => r.data?.$users?.[0]?.plan === 'plan-medium');
    await buyPlan(user, 'plan-medium', 'planner@example.com');
    await shown;

    const sessionsBefore = (await shop.stripe.checkout.sessions.list({ limit: 100 })).data.length;
    const again = await shop.post('/api/plans/checkout', { planId: 'plan-medium' }, user.auth);
    expect(again.status).toBe(409);
    expect((await again.json()).error).toBe('You already have the Medium plan.');
    expect((await shop.stripe.checkout.sessions.list({ limit: 100 })).data.length).toBe(sessionsBefore);

    await buyPlan(user, 'plan-large', 'planner@example.com');
    expect(await planOf(user.id)).toBe('plan-large');
    const lower = await shop.post('/api/plans/checkout', { planId: 'plan-medium' }, user.auth);
    expect(lower.status).toBe(409);
    expect((await lower.json()).error).toMatch(/only a higher plan/);
    db.shutdown();
  });

  it('falls back when the plan is refunded, and when a dispute over it is lost', async () => {
    const user = await signedIn('reverts@example.com');
    await buyPlan(user, 'plan-medium', 'reverts@example.com');
    const large = await buyPlan(user, 'plan-large', 'reverts@example.com');
    expect(await planOf(user.id)).toBe('plan-large');
    const pi = (await shop.stripe.checkout.sessions.retrieve(large)).payment_intent as string;
    await shop.stripe.refunds.create({ payment_intent: pi });
    await shop.stripeLocal.whenDeliveriesIdle();
    expect(await planOf(user.id)).toBe('plan-medium');

    const medium = (
      await shop.admin.query({ purchases: { $: { where: { 'owner.id': user.id, productId: 'plan-medium' } } } })
    ).purchases[0];
    const charge = (await shop.stripe.paymentIntents.retrieve(medium.paymentIntentId!)).latest_charge as string;
    const dispute = await (await shop.local(`charges/${charge}/dispute`)).json();
    await shop.local(`disputes/${dispute.id}/close`, { status: 'lost' });
    await shop.stripeLocal.whenDeliveriesIdle();
    expect(await planOf(user.id)).toBeNull();
  });

  it('refuses plans to guests and bad plan ids', async () => {
    expect((await shop.post('/api/plans/checkout', { planId: 'plan-large' })).status).toBe(401);
    const user = await signedIn('badplan@example.com');
    expect((await shop.post('/api/plans/checkout', { planId: 'credits-small' }, user.auth)).status).toBe(400);
    expect((await shop.post('/api/checkout', { token: randomUUID(), productId: 'plan-large' })).status).toBe(400);
  });
});

/** Opens a payment link as the browser would and returns the Checkout Session it started. */
async function openLink(productId: string, params: Record<string, string>) {
  const url = new URL(links[`VITE_CHECKOUT_URL_${productId.toUpperCase().replace(/-/g, '_')}`]);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  const res = await fetch(url, { redirect: 'manual' });
  expect([302, 303]).toContain(res.status);
  return sessionIdOf(res.headers.get('location')!);
}

describe('payment links', () => {
  it("unlocks with the guest token from client_reference_id, typed by the product's metadata", async () => {
    const token = randomUUID();
    const sessionId = await openLink('wallpapers-all', {
      client_reference_id: `token_${token}`,
      prefilled_email: 'link-guest@example.com',
    });
    const session = await shop.stripe.checkout.sessions.retrieve(sessionId);
    expect(session.metadata).toEqual({});
    await shop.pay(sessionId, { email: 'link-guest@example.com', card: '4242424242424242' });
    await shop.stripeLocal.whenDeliveriesIdle();
    const [p] = (
      await shop.admin.query({ purchases: { $: { where: { id: purchaseIdFor(sessionId) } }, wallpapers: {} } })
    ).purchases;
    expect(p).toMatchObject({ status: 'paid', token, unlockToken: token, productId: 'wallpapers-all' });
    expect(p.wallpapers).toHaveLength(8);
    const success = new URL(session.success_url!);
    expect(success.pathname).toBe('/success');
  });

  it('grants credits to the user named by client_reference_id', async () => {
    const user = await signedIn('link-user@example.com');
    const sessionId = await openLink('credits-small', { client_reference_id: `user_${user.id}` });
    await shop.pay(sessionId, { email: 'somebody-else@example.com', card: '4242424242424242' });
    await shop.stripeLocal.whenDeliveriesIdle();
    const { ledgerEntries } = await shop.admin.query({ ledgerEntries: { $: { where: { userId: user.id } } } });
    expect(ledgerEntries.map((e: any) => e.amount)).toEqual([10]);
    const [receipt] = shop.mailbox.messages({ to: 'somebody-else@example.com' });
    expect(receipt.text).toContain('/credits');
  });

  it('falls back to the email when the link carries no reference, making the user if needed', async () => {
    const sessionId = await openLink('credits-small', { prefilled_email: 'Email.Only@Example.com' });
    await shop.pay(sessionId, { email: 'Email.Only@Example.com', card: '4242424242424242' });
    await shop.stripeLocal.whenDeliveriesIdle();
    const user = await shop.admin.auth.getUser({ email: 'email.only@example.com' });
    expect(user).not.toBeNull();
    const { ledgerEntries } = await shop.admin.query({ ledgerEntries: { $: { where: { userId: user!.id } } } });
    expect(ledgerEntries.map((e: any) => e.amount)).toEqual([10]);
  });
});

describe('every kind through a payment link', () => {
  it('sets the plan of the user named by the reference (a link cannot refuse a plan before paying, so it is recorded and the plan stays the highest)', async () => {
    const user = await signedIn('link-plan@example.com');
    const sessionId = await openLink('plan-medium', {
      client_reference_id: `user_${user.id}`,
      prefilled_email: 'link-plan@example.com',
    });
    await shop.pay(sessionId, { email: 'link-plan@example.com', card: '4242424242424242' });
    await shop.stripeLocal.whenDeliveriesIdle();
    expect(await planOf(user.id)).toBe('plan-medium');
  });

  it('sells a download to a guest token, fetchable with that token', async () => {
    const token = randomUUID();
    const sessionId = await openLink('field-guide', { client_reference_id: `token_${token}` });
    await shop.pay(sessionId, { email: 'link-reader@example.com', card: '4242424242424242' });
    await shop.stripeLocal.whenDeliveriesIdle();
    const res = await shop.post(`/api/downloads/${purchaseIdFor(sessionId)}`, { token });
    expect(res.status).toBe(200);
    expect(
      shop.mailbox.messages({ to: 'link-reader@example.com' }).filter((m) => m.subject.startsWith('Your receipt')),
    ).toHaveLength(1);
  });
});

describe('unresolvable purchases', () => {
  it('records a paid session of unknown type as unfulfilled with the reason and the fix, granting nothing', async () => {
    const session = await shop.stripe.checkout.sessions.create({
      mode: 'payment',
      line_items: [
        { quantity: 1, price_data: { currency: 'usd', unit_amount: 999, product_data: { name: 'Mystery' } } },
      ],
      success_url: `${shop.api}/success?session_id={CHECKOUT_SESSION_ID}`,
    });
    await shop.pay(session.id, { email: 'mystery@example.com', card: '4242424242424242' });
    await shop.stripeLocal.whenDeliveriesIdle();
    const [p] = (await shop.admin.query({ purchases: { $: { where: { sessionId: session.id } } } })).purchases;
    expect(p.status).toBe('paid');
    expect(p.unlockToken).toBeUndefined();
    expect(p.unfulfilledReason).toMatch(/Unknown purchase type.*STRIPE_PRODUCT_MAP/);
  });
});

describe('delayed payments for signed-in kinds', () => {
  it('grants credits only when the delayed payment succeeds', async () => {
    const user = await signedIn('delayed-credits@example.com');
    const res = await shop.post('/api/credits/checkout', { packId: 'credits-small' }, user.auth);
    const sessionId = sessionIdOf((await res.json()).url);
    await shop.pay(sessionId, { email: 'delayed-credits@example.com', method: 'delayed' });
    await shop.stripeLocal.whenDeliveriesIdle();
    expect((await shop.admin.query({ ledgerEntries: { $: { where: { userId: user.id } } } })).ledgerEntries).toEqual(
      [],
    );
    await shop.local(`checkout_sessions/${sessionId}/settle`, { outcome: 'succeeded' });
    await shop.stripeLocal.whenDeliveriesIdle();
    expect(
      (await shop.admin.query({ ledgerEntries: { $: { where: { userId: user.id } } } })).ledgerEntries,
    ).toHaveLength(1);
  });
});

describe('receipts', () => {
  it('records a failed send without failing the webhook, and never sends on a replay', async () => {
    const { url } = await (
      await shop.post('/api/checkout', { token: randomUUID(), productId: 'wallpapers-warm' })
    ).json();
    const sessionId = sessionIdOf(url);
    await withReceiptsFailing(async () => {
      await shop.pay(sessionId, { email: 'unlucky@example.com', card: '4242424242424242' });
      await shop.stripeLocal.whenDeliveriesIdle();
    });
    const deliveries = shop.stripeLocal
      .deliveries()
      .filter((d) => d.event_type === 'checkout.session.completed' && d.status === 'succeeded');
    expect(deliveries.length).toBeGreaterThan(0);
    const [receipt] = (await shop.admin.query({ receipts: { $: { where: { sessionId } } } })).receipts;
    expect(receipt).toMatchObject({ status: 'failed', to: 'unlucky@example.com' });
    expect(receipt.error).toMatch(/401|key|auth/i);
    expect((await shop.post('/api/checkout/confirm', { sessionId })).status).toBe(200);
    expect(shop.mailbox.messages({ to: 'unlucky@example.com' })).toHaveLength(0);
    expect((await shop.admin.query({ receipts: { $: { where: { sessionId } } } })).receipts[0].status).toBe('failed');
  });
});
