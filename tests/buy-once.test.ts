// Buying without an account, against the stand-ins through the real SDKs: token before
// checkout, exactly-once fulfillment however the webhook and the success page race, live unlock.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purchaseIdFor } from '../api/_lib/fulfillment/purchase-ids.ts';
import { nextResult } from './support/instant-clients.ts';
import { startShopStack, type ShopStack } from './support/shop-stack.ts';
import { checkout, receiptsTo } from './support/shop.ts';

let shop: ShopStack;

beforeAll(async () => {
  shop = await startShopStack();
});
afterAll(() => shop.close());

async function purchase(sessionId: string) {
  const { purchases } = await shop.admin.query({ purchases: { $: { where: { sessionId } }, wallpapers: {} } });
  return purchases;
}

describe('guest purchase', () => {
  it('records a pending purchase at checkout, then fulfills it once when paid (webhook first)', async () => {
    const { token, sessionId } = await checkout(shop);
    expect((await purchase(sessionId))[0]).toMatchObject({ status: 'pending', token });
    const session = await shop.stripe.checkout.sessions.retrieve(sessionId);
    expect(session.metadata).toMatchObject({ token, productId: 'wallpapers-warm' });

    expect((await shop.pay(sessionId, { email: ' Guest.One@Example.com ', card: '4242424242424242' })).status).toBe(
      200,
    );
    await shop.stripeLocal.whenDeliveriesIdle();
    const [p] = await purchase(sessionId);
    expect(p).toMatchObject({
      status: 'paid',
      token,
      unlockToken: token,
      email: 'guest.one@example.com',
      productId: 'wallpapers-warm',
      amount: 500,
    });
    expect(p.wallpapers.map((w: any) => w.slug).sort()).toEqual(['citrus', 'dune', 'ember']);
    const [receipt] = receiptsTo(shop, 'guest.one@example.com');
    expect(receipt.subject).toBe('Your receipt: Warm trio');
    expect(receipt.text).toContain('/recover');
    expect(receipt.text).not.toMatch(/\/api\/files|\.png/);

    // The success page's confirm call after the webhook changes nothing.
    const confirm = await shop.post('/api/checkout/confirm', { sessionId });
    expect(await confirm.json()).toEqual({ status: 'paid' });
    expect(await purchase(sessionId)).toHaveLength(1);
    expect(receiptsTo(shop, 'guest.one@example.com')).toHaveLength(1);
  });

  it('fulfills from the success page when it arrives before the webhook', async () => {
    const { token, sessionId } = await checkout(shop);
    await shop.local('webhooks/hold');
    await shop.pay(sessionId, { email: 'redirect-first@example.com', card: '4242424242424242' });
    const res = await shop.post('/api/checkout/confirm', { sessionId });
    expect(await res.json()).toEqual({ status: 'paid' });
    expect((await purchase(sessionId))[0]).toMatchObject({ status: 'paid', unlockToken: token });
    await shop.local('webhooks/release');
    await shop.stripeLocal.whenDeliveriesIdle();
    expect(await purchase(sessionId)).toHaveLength(1);
    expect(receiptsTo(shop, 'redirect-first@example.com')).toHaveLength(1);
  });

  it('ends with one purchase and one receipt under ten concurrent duplicate deliveries plus confirm calls', async () => {
    const { sessionId } = await checkout(shop, 'wallpapers-all');
    await shop.pay(sessionId, { email: 'storm@example.com', card: '4242424242424242' });
    await shop.stripeLocal.whenDeliveriesIdle();
    const completed = (await shop.stripe.events.list({ type: 'checkout.session.completed', limit: 100 })).data.find(
      (e) => (e.data.object as any).id === sessionId,
    )!;
    await Promise.all([
      shop.local(`events/${completed.id}/resend`, { copies: 10 }),
      ...Array.from({ length: 5 }, () => shop.post('/api/checkout/confirm', { sessionId })),
    ]);
    await shop.stripeLocal.whenDeliveriesIdle();
    const deliveries = shop.stripeLocal.deliveries().filter((d) => d.event_id === completed.id);
    expect(deliveries.length).toBeGreaterThanOrEqual(11);
    expect(deliveries.every((d) => d.status === 'succeeded')).toBe(true);
    expect(await purchase(sessionId)).toHaveLength(1);
    expect(receiptsTo(shop, 'storm@example.com')).toHaveLength(1);
  });

  it('records a paid session whose metadata lost its token under the email, with a fresh token', async () => {
    const session = await shop.stripe.checkout.sessions.create({
      mode: 'payment',
      line_items: [
        { quantity: 1, price_data: { currency: 'usd', unit_amount: 500, product_data: { name: 'Warm trio' } } },
      ],
      metadata: { type: 'wallpapers-warm' },
      success_url: `${shop.api}/success?session_id={CHECKOUT_SESSION_ID}`,
      cancel_url: `${shop.api}/`,
    });
    await shop.pay(session.id, { email: 'NoToken@example.com', card: '4242424242424242' });
    await shop.stripeLocal.whenDeliveriesIdle();
    const [p] = await purchase(session.id);
    expect(p).toMatchObject({ status: 'paid', email: 'notoken@example.com' });
    expect(p.token).toMatch(/^[0-9a-f-]{36}$/);
    expect(p.unlockToken).toBe(p.token);
  });

  it('records nothing as paid for a declined card; the session stays open', async () => {
    const { sessionId } = await checkout(shop);
    const res = await shop.pay(sessionId, { email: 'declined@example.com', card: '4000000000000002' });
    expect(res.status).toBe(402);
    await shop.stripeLocal.whenDeliveriesIdle();
    expect((await purchase(sessionId))[0]).toMatchObject({ status: 'pending' });
    expect((await purchase(sessionId))[0].unlockToken).toBeUndefined();
    expect(receiptsTo(shop, 'declined@example.com')).toHaveLength(0);
  });
});

describe('live unlock', () => {
  it('reveals fullResUrl to the token holder the moment the purchase is written, and hides it on refund', async () => {
    const { token, sessionId } = await checkout(shop, 'wallpapers-warm');
    const db = shop.client();
    const q = { wallpapers: { $: { where: { slug: 'dune' } } } };
    const before = await nextResult(db, q, (r) => Boolean(r.data?.wallpapers?.length), {
      ruleParams: { tokens: [token] },
    });
    expect(before.data!.wallpapers[0]).not.toHaveProperty('fullResUrl');

    const unlocked = nextResult(db, q, (r) => Boolean(r.data?.wallpapers?.[0]?.fullResUrl), {
      ruleParams: { tokens: [token] },
    });
    await shop.pay(sessionId, { email: 'live@example.com', card: '4242424242424242' });
    expect((await unlocked).data!.wallpapers[0].fullResUrl).toBe('dune.png');

    const relocked = nextResult(
      db,
      q,
      (r) => r.data?.wallpapers?.[0] !== undefined && !('fullResUrl' in r.data.wallpapers[0]),
      { ruleParams: { tokens: [token] } },
    );
    const session = await shop.stripe.checkout.sessions.retrieve(sessionId);
    await shop.stripe.refunds.create({ payment_intent: session.payment_intent as string });
    await relocked;
    await shop.stripeLocal.whenDeliveriesIdle();
    expect((await purchase(sessionId))[0]).toMatchObject({ status: 'refunded' });
    expect((await purchase(sessionId))[0].unlockToken).toBeUndefined();
  });

  it("keeps the field hidden without a token, with a wrong token, and for another purchase's wallpaper", async () => {
    const { token, sessionId } = await checkout(shop, 'wallpapers-warm');
    await shop.pay(sessionId, { email: 'hidden@example.com', card: '4242424242424242' });
    await shop.stripeLocal.whenDeliveriesIdle();
    const guest = shop.admin.asUser({ guest: true });
    const q = { wallpapers: {} };
    const none = await guest.query(q);
    expect(none.wallpapers.length).toBeGreaterThanOrEqual(8);
    expect(none.wallpapers.every((w: any) => !('fullResUrl' in w))).toBe(true);
    const wrong = await guest.query(q, { ruleParams: { tokens: [randomUUID()] } });
    expect(wrong.wallpapers.every((w: any) => !('fullResUrl' in w))).toBe(true);
    const right = await guest.query(q, { ruleParams: { tokens: [token] } });
    const unlocked = right.wallpapers
      .filter((w: any) => 'fullResUrl' in w)
      .map((w: any) => w.slug)
      .sort();
    expect(unlocked).toEqual(['citrus', 'dune', 'ember']);
  });
});

describe('state machine', () => {
  it('keeps access on a partial refund and revokes it when the charge is fully refunded', async () => {
    const { sessionId } = await checkout(shop, 'wallpapers-all');
    await shop.pay(sessionId, { email: 'partial@example.com', card: '4242424242424242' });
    await shop.stripeLocal.whenDeliveriesIdle();
    const pi = (await shop.stripe.checkout.sessions.retrieve(sessionId)).payment_intent as string;
    await shop.stripe.refunds.create({ payment_intent: pi, amount: 200 });
    await shop.stripeLocal.whenDeliveriesIdle();
    expect((await purchase(sessionId))[0]).toMatchObject({ status: 'paid' });
    await shop.stripe.refunds.create({ payment_intent: pi, amount: 1000 });
    await shop.stripeLocal.whenDeliveriesIdle();
    expect((await purchase(sessionId))[0]).toMatchObject({ status: 'refunded' });
  });

  it('restores access when a full refund later fails', async () => {
    const { token, sessionId } = await checkout(shop);
    await shop.pay(sessionId, { email: 'refund-fail@example.com', card: '4242424242424242' });
    await shop.stripeLocal.whenDeliveriesIdle();
    const pi = (await shop.stripe.checkout.sessions.retrieve(sessionId)).payment_intent as string;
    const refund = await shop.stripe.refunds.create({ payment_intent: pi });
    await shop.stripeLocal.whenDeliveriesIdle();
    expect((await purchase(sessionId))[0]).toMatchObject({ status: 'refunded' });
    expect((await shop.local(`refunds/${refund.id}/fail`)).status).toBe(200);
    await shop.stripeLocal.whenDeliveriesIdle();
    expect((await purchase(sessionId))[0]).toMatchObject({ status: 'paid', unlockToken: token });
  });

  it('revokes on a dispute and restores when the seller wins it', async () => {
    const { token, sessionId } = await checkout(shop);
    await shop.pay(sessionId, { email: 'dispute@example.com', card: '4242424242424242' });
    await shop.stripeLocal.whenDeliveriesIdle();
    const session = await shop.stripe.checkout.sessions.retrieve(sessionId, { expand: ['payment_intent'] });
    const charge = (session.payment_intent as any).latest_charge as string;
    const dispute = await (await shop.local(`charges/${charge}/dispute`)).json();
    await shop.stripeLocal.whenDeliveriesIdle();
    expect((await purchase(sessionId))[0]).toMatchObject({ status: 'disputed' });
    await shop.local(`disputes/${dispute.id}/close`, { status: 'won' });
    await shop.stripeLocal.whenDeliveriesIdle();
    expect((await purchase(sessionId))[0]).toMatchObject({ status: 'paid', unlockToken: token });
  });

  it('converges whatever order the events arrive in', async () => {
    const { sessionId } = await checkout(shop);
    await shop.local('webhooks/hold');
    await shop.pay(sessionId, { email: 'reorder@example.com', card: '4242424242424242' });
    const pi = (await shop.stripe.checkout.sessions.retrieve(sessionId)).payment_intent as string;
    await shop.stripe.refunds.create({ payment_intent: pi });
    await shop.local('webhooks/release', { order: 'reverse' });
    await shop.stripeLocal.whenDeliveriesIdle();
    expect((await purchase(sessionId))[0]).toMatchObject({ status: 'refunded' });
    expect(receiptsTo(shop, 'reorder@example.com')).toHaveLength(1);
  });

  it('moves delayed payments to paid when they succeed and to failed when they fail', async () => {
    const ok = await checkout(shop);
    await shop.pay(ok.sessionId, { email: 'async-ok@example.com', method: 'delayed' });
    await shop.stripeLocal.whenDeliveriesIdle();
    expect((await purchase(ok.sessionId))[0]).toMatchObject({ status: 'pending' });
    await shop.local(`checkout_sessions/${ok.sessionId}/settle`, { outcome: 'succeeded' });
    await shop.stripeLocal.whenDeliveriesIdle();
    expect((await purchase(ok.sessionId))[0]).toMatchObject({ status: 'paid', unlockToken: ok.token });

    const bad = await checkout(shop);
    await shop.pay(bad.sessionId, { email: 'async-bad@example.com', method: 'delayed' });
    await shop.local(`checkout_sessions/${bad.sessionId}/settle`, { outcome: 'failed' });
    await shop.stripeLocal.whenDeliveriesIdle();
    expect((await purchase(bad.sessionId))[0]).toMatchObject({ status: 'failed' });
    expect(receiptsTo(shop, 'async-bad@example.com')).toHaveLength(0);
  });

  it('marks an expired session expired', async () => {
    const { sessionId } = await checkout(shop);
    await shop.local(`checkout_sessions/${sessionId}/expire`);
    await shop.stripeLocal.whenDeliveriesIdle();
    expect((await purchase(sessionId))[0]).toMatchObject({ status: 'expired' });
    expect(purchaseIdFor(sessionId)).toBe((await purchase(sessionId))[0].id);
  });
});

describe('recovery by email', () => {
  async function recover(email: string) {
    const db = shop.client();
    const sent = await db.auth.sendMagicCode({ email });
    const code = [...shop.mails].reverse().find((m) => m.to === email.trim().toLowerCase())!.code;
    await db.auth.signInWithMagicCode({ email, code });
    const r = await nextResult(db, { purchases: {} }, (x) => Boolean(x.data));
    await db.auth.signOut();
    return { sent, purchases: r.data!.purchases as any[] };
  }

  it('finds the purchases of an email typed in another case, and answers an email without purchases the same way', async () => {
    const { token, sessionId } = await checkout(shop);
    await shop.pay(sessionId, { email: 'Recovering.Buyer@Example.com', card: '4242424242424242' });
    await shop.stripeLocal.whenDeliveriesIdle();

    const found = await recover('  RECOVERING.buyer@example.COM ');
    expect(found.purchases.map((p) => p.token)).toEqual([token]);
    const none = await recover('never-bought@example.com');
    expect(none.purchases).toEqual([]);
    // The same answer whether or not the email bought anything: no enumeration.
    expect(none.sent).toEqual(found.sent);
  });
});
