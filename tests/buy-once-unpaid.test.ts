// An unpaid checkout gives nothing away: a purchase is linked to the wallpapers it buys only once
// paid, so a guest holding the tokens of many unpaid checkouts reaches nothing through them
// (and cannot make a wallpaper → purchases → wallpapers → … query grow). Purchases an older
// version linked before payment are unlinked by reconcile, once, right away: it unlinks, then
// re-reads Stripe and links again if paid, so an unlink racing a payment still ends linked; a
// fulfilment writer holding a stale unpaid view never unlinks a paid purchase.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { unlinkThenFulfill, writePurchase } from '../api/_lib/fulfillment/fulfill-checkout.ts';
import { purchaseIdFor, wallpaperIdFor } from '../api/_lib/fulfillment/purchase-ids.ts';
import { readStripeView } from '../api/_lib/fulfillment/stripe-view.ts';
import { reconcile } from '../api/_lib/ops/reconcile.ts';
import { guestCheckout, setWebhooks, uniqueEmail } from './support/shop.ts';
import { startShopStack, type ShopStack } from './support/shop-stack.ts';

let shop: ShopStack;
beforeAll(async () => {
  shop = await startShopStack();
});
afterAll(() => shop.close());
beforeEach(async () => {
  await setWebhooks(shop, true);
  await shop.stripeLocal.whenDeliveriesIdle();
});

async function linked(sessionId: string): Promise<string[]> {
  const { purchases } = await shop.admin.query({ purchases: { $: { where: { sessionId } }, wallpapers: {} } });
  return (purchases[0] as any).wallpapers.map((w: any) => w.slug).sort();
}

const WARM = ['citrus', 'dune', 'ember'];

describe('unpaid checkouts', () => {
  it('link nothing, whether confirmed by the success page, pending a delayed payment, expired or failed', async () => {
    const confirmed = await guestCheckout(shop, 'wallpapers-all');
    expect(await (await shop.post('/api/checkout/confirm', { sessionId: confirmed.sessionId })).json()).toEqual({
      status: 'pending',
    });
    const delayed = await guestCheckout(shop, 'wallpapers-all');
    expect((await shop.pay(delayed.sessionId, { email: 'slow@example.com', method: 'delayed' })).status).toBe(200);
    const expired = await guestCheckout(shop, 'wallpapers-all');
    expect((await shop.local(`checkout_sessions/${expired.sessionId}/expire`)).status).toBe(200);
    const failed = await guestCheckout(shop, 'wallpapers-all');
    expect(
      (await shop.pay(failed.sessionId, { email: 'fails@example.com', method: 'delayed', outcome: 'failed' })).status,
    ).toBe(200);
    await shop.stripeLocal.whenDeliveriesIdle();
    await shop.local(`checkout_sessions/${failed.sessionId}/settle`, { outcome: 'failed' });
    await shop.stripeLocal.whenDeliveriesIdle();

    const mine = [confirmed, delayed, expired, failed];
    const tokens = mine.map((c) => c.token);
    // The attacker's view: holding every token, through the wallpapers and through its purchases.
    const guest = shop.admin.asUser({ guest: true });
    const deep = await guest.query(
      { wallpapers: { purchases: { wallpapers: { purchases: {} } } } },
      { ruleParams: { tokens } },
    );
    expect(deep.wallpapers.length).toBeGreaterThanOrEqual(8);
    expect(deep.wallpapers.flatMap((w: any) => w.purchases)).toEqual([]);
    const own = await guest.query({ purchases: { wallpapers: {} } }, { ruleParams: { tokens } });
    expect(own.purchases.map((p: any) => p.status).sort()).toEqual(['expired', 'failed', 'pending', 'pending']);
    expect(own.purchases.flatMap((p: any) => p.wallpapers)).toEqual([]);
    for (const c of mine) expect(await linked(c.sessionId)).toEqual([]);

    // Paying is what links: the delayed payment settles.
    await shop.local(`checkout_sessions/${delayed.sessionId}/settle`, { outcome: 'succeeded' });
    await shop.stripeLocal.whenDeliveriesIdle();
    expect((await linked(delayed.sessionId)).length).toBe(8);
  });

  it('keeps a paid purchase linked when a writer holding a stale unpaid view writes after it', async () => {
    const c = await guestCheckout(shop, 'wallpapers-warm');
    const stale = await readStripeView(c.sessionId);
    expect((await shop.pay(c.sessionId, { email: 'stale@example.com', card: '4242424242424242' })).status).toBe(200);
    await shop.stripeLocal.whenDeliveriesIdle();
    expect(await linked(c.sessionId)).toEqual(WARM);
    await writePurchase(stale);
    expect(await linked(c.sessionId)).toEqual(WARM);
    // Its own next write (the fulfillment loop re-reads Stripe) puts the status right again.
    await shop.post('/api/checkout/confirm', { sessionId: c.sessionId });
    const { purchases } = await shop.admin.query({ purchases: { $: { where: { sessionId: c.sessionId } } } });
    expect(purchases[0]).toMatchObject({ status: 'paid', unlockToken: c.token });
  });
});

describe('purchases linked before payment by an older version', () => {
  const wallpapers = WARM.map(wallpaperIdFor);
  /** What the older version wrote at checkout: pending purchases linked to what they buy. */
  async function legacyLink(...cs: { sessionId: string }[]) {
    await shop.admin.transact(cs.map((c) => shop.admin.tx.purchases[purchaseIdFor(c.sessionId)].link({ wallpapers })));
    for (const c of cs) expect(await linked(c.sessionId)).toEqual(WARM);
  }
  const status = async (sessionId: string) =>
    (await shop.admin.query({ purchases: { $: { where: { sessionId } } } })).purchases[0];

  it('are unlinked by reconcile now, open sessions included, once; paid ones end linked', async () => {
    await setWebhooks(shop, false);
    const open = await guestCheckout(shop, 'wallpapers-warm');
    const toExpire = await guestCheckout(shop, 'wallpapers-warm');
    const paid = await guestCheckout(shop, 'wallpapers-warm', uniqueEmail('paid-legacy'));
    await shop.local(`checkout_sessions/${toExpire.sessionId}/expire`);
    await shop.stripeLocal.whenDeliveriesIdle();
    await legacyLink(open, toExpire, paid);

    const since = new Date(Date.now() - 60_000);
    const first = await reconcile({ since, by: 'test' });
    expect(first.errors).toEqual([]);
    const changes = Object.fromEntries(first.repaired.map((r) => [r.sessionId, r.changes]));
    expect(changes[open.sessionId]).toEqual(['unpaid: unlinked from 3 wallpapers']);
    expect(changes[toExpire.sessionId]).toEqual(['status pending → expired', 'unpaid: unlinked from 3 wallpapers']);
    expect(changes[paid.sessionId]).toEqual(expect.arrayContaining(['status pending → paid', 'access granted']));
    expect(await linked(open.sessionId)).toEqual([]);
    expect(await linked(toExpire.sessionId)).toEqual([]);
    expect(await linked(paid.sessionId)).toEqual(WARM);

    const second = await reconcile({ since, by: 'test' });
    expect(
      second.repaired.filter((r) => [open.sessionId, toExpire.sessionId, paid.sessionId].includes(r.sessionId)),
    ).toEqual([]);

    // Paying is still what links the open one.
    await setWebhooks(shop, true);
    expect((await shop.pay(open.sessionId, { email: 'late-payer@example.com', card: '4242424242424242' })).status).toBe(
      200,
    );
    await shop.stripeLocal.whenDeliveriesIdle();
    expect(await linked(open.sessionId)).toEqual(WARM);
  });

  it("end linked when reconcile's unlink lands after the payment's fulfilment (unlink, then re-read)", async () => {
    const c = await guestCheckout(shop, 'wallpapers-warm');
    await legacyLink(c);
    // Reconcile found it unpaid and linked; the buyer pays and the webhook links before reconcile's unlink lands.
    expect((await shop.pay(c.sessionId, { email: 'racer@example.com', card: '4242424242424242' })).status).toBe(200);
    await shop.stripeLocal.whenDeliveriesIdle();
    expect(await status(c.sessionId)).toMatchObject({ status: 'paid', unlockToken: c.token });
    await unlinkThenFulfill(c.sessionId, wallpapers);
    expect(await linked(c.sessionId)).toEqual(WARM);
    expect(await status(c.sessionId)).toMatchObject({ status: 'paid', unlockToken: c.token });
  });

  it("end linked when the payment lands after reconcile's unlink and re-read, and unlinked while unpaid", async () => {
    const c = await guestCheckout(shop, 'wallpapers-warm');
    await legacyLink(c);
    expect(await unlinkThenFulfill(c.sessionId, wallpapers)).toMatchObject({ status: 'pending' });
    expect(await linked(c.sessionId)).toEqual([]);
    expect((await shop.pay(c.sessionId, { email: 'after@example.com', card: '4242424242424242' })).status).toBe(200);
    await shop.stripeLocal.whenDeliveriesIdle();
    expect(await linked(c.sessionId)).toEqual(WARM);
  });

  it('converge with payments made while reconcile runs: paid ones linked, unpaid ones not', async () => {
    const cs = await Promise.all(Array.from({ length: 6 }, () => guestCheckout(shop, 'wallpapers-warm')));
    await legacyLink(...cs);
    const payers = cs.filter((_, i) => i % 2 === 0);
    const [report] = await Promise.all([
      reconcile({ since: new Date(Date.now() - 60_000), by: 'test', concurrency: 6 }),
      ...payers.map((c) =>
        shop.pay(c.sessionId, {
          email: `concurrent.${randomUUID().slice(0, 6)}@example.com`,
          card: '4242424242424242',
        }),
      ),
    ]);
    expect(report.errors).toEqual([]);
    await shop.stripeLocal.whenDeliveriesIdle();
    for (const c of cs) {
      const paid = payers.includes(c);
      expect(await linked(c.sessionId), c.sessionId).toEqual(paid ? WARM : []);
      expect(await status(c.sessionId)).toMatchObject(
        paid ? { status: 'paid', unlockToken: c.token } : { status: 'pending' },
      );
    }
  });
});
