// Reconcile after deliberately dropped webhooks: the shop's webhook endpoint is disabled in the
// Stripe stand-in while buyers pay, delayed payments settle, refunds and disputes happen. Reconcile
// repairs exactly what is missing, a second run repairs nothing, and runs alongside redelivered
// events still end with one purchase, one receipt and one grant each.
import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { reconcile, parseSince } from '../../api/_lib/ops/reconcile.ts';
import { runCli } from '../../scripts/ops.ts';
import { ledgerOf as ledgerWithBalances } from '../support/credits.ts';
import { ops, withOperatorShop } from '../support/ops.ts';
import {
  creditsCheckout,
  guestCheckout,
  paymentIntentOf,
  purchaseOf,
  receiptsTo,
  setWebhooks,
  signIn,
  type SignedIn,
} from '../support/shop.ts';
import { withReceiptsFailing, type ShopStack } from '../support/shop-stack.ts';

let shop: ShopStack, operator: SignedIn;
let since: Date;
withOperatorShop((s) => ({ shop, operator } = s));
beforeEach(async () => {
  await setWebhooks(shop, true);
  await shop.stripeLocal.whenDeliveriesIdle();
  // Stripe's `created` is in whole seconds.
  since = new Date(Math.floor(Date.now() / 1000) * 1000);
});

const tag = () => randomUUID().slice(0, 6);

const ledgerOf = (userId: string) => ledgerWithBalances(shop.admin, userId);

describe('reconcile', () => {
  it('repairs completed, delayed-succeeded, refunded, disputed and credits purchases whose webhooks were dropped, and only those', async () => {
    const t = tag();
    // Recorded correctly (webhooks on): a paid purchase, one about to be refunded, one about to be
    // disputed, and a delayed payment still processing.
    const fine = await guestCheckout(shop, 'wallpapers-warm', `fine.${t}@example.com`);
    const toRefund = await guestCheckout(shop, 'wallpapers-warm', `refunded.${t}@example.com`);
    const toDispute = await guestCheckout(shop, 'wallpapers-warm', `disputed.${t}@example.com`);
    const delayed = await guestCheckout(shop, 'wallpapers-warm');
    expect((await shop.pay(delayed.sessionId, { email: `delayed.${t}@example.com`, method: 'delayed' })).status).toBe(
      200,
    );
    const buyer = await signIn(shop, `credits.${t}@example.com`);
    await shop.stripeLocal.whenDeliveriesIdle();
    expect(await purchaseOf(shop, delayed.sessionId)).toMatchObject({ status: 'pending' });

    // Webhooks dropped from here on.
    await setWebhooks(shop, false);
    const completed = await guestCheckout(shop, 'wallpapers-warm', `completed.${t}@example.com`);
    const credits = await creditsCheckout(shop, buyer);
    await shop.local(`checkout_sessions/${delayed.sessionId}/settle`, { outcome: 'succeeded' });
    await shop.stripe.refunds.create({ payment_intent: (await paymentIntentOf(shop, toRefund.sessionId)).pi });
    await shop.local(`charges/${(await paymentIntentOf(shop, toDispute.sessionId)).charge}/dispute`);
    await shop.stripeLocal.whenDeliveriesIdle();
    expect(await purchaseOf(shop, completed.sessionId)).toMatchObject({ status: 'pending' });
    expect(await purchaseOf(shop, toRefund.sessionId)).toMatchObject({ status: 'paid' });
    expect(await ledgerOf(buyer.id)).toEqual([]);

    const report = await ops(shop, operator, 'reconcile', { since: since.toISOString() });
    expect(report.errors).toEqual([]);
    const changes = Object.fromEntries(report.repaired.map((r: any) => [r.sessionId, r.changes]));
    expect(changes).toEqual({
      [completed.sessionId]: ['status pending → paid', 'access granted', 'receipt none → sent'],
      [credits]: ['status pending → paid', 'access granted', 'receipt none → sent', `ledger grant:${credits} +10`],
      [delayed.sessionId]: ['status pending → paid', 'access granted', 'receipt none → sent'],
      [toRefund.sessionId]: ['status paid → refunded', 'access revoked'],
      [toDispute.sessionId]: ['status paid → disputed', 'access revoked'],
    });
    expect(changes[fine.sessionId]).toBeUndefined();
    expect(await purchaseOf(shop, completed.sessionId)).toMatchObject({ status: 'paid', unlockToken: completed.token });
    expect(await purchaseOf(shop, delayed.sessionId)).toMatchObject({ status: 'paid', unlockToken: delayed.token });
    expect(await purchaseOf(shop, toRefund.sessionId)).toMatchObject({ status: 'refunded' });
    expect(await purchaseOf(shop, toDispute.sessionId)).toMatchObject({ status: 'disputed' });
    expect((await ledgerOf(buyer.id)).map((e) => [e.ref, e.balance])).toEqual([[`grant:${credits}`, 10]]);
    for (const who of ['completed', 'delayed', 'credits', 'refunded', 'disputed', 'fine'])
      expect(receiptsTo(shop, `${who}.${t}@example.com`), who).toHaveLength(1);

    // Nothing left to repair, through the CLI this time.
    const again = await runCli(['reconcile', '--since', since.toISOString()], 'cli:tester');
    expect(again.result).toMatchObject({ repaired: [], receiptsResent: [], errors: [] });
    expect(again.text).toMatch(/0 repaired, 0 receipts re-sent, 0 errors$/);
  });

  it('ends with one purchase, one receipt and one grant each when runs race redelivered events', async () => {
    const t = tag();
    await setWebhooks(shop, false);
    const guest = await guestCheckout(shop, 'wallpapers-all', `race.${t}@example.com`);
    const buyer = await signIn(shop, `race-credits.${t}@example.com`);
    const credits = await creditsCheckout(shop, buyer);
    await shop.stripeLocal.whenDeliveriesIdle();
    await setWebhooks(shop, true);
    const { data: events } = await shop.stripe.events.list({
      types: ['checkout.session.completed'],
      created: { gte: Math.floor(since.getTime() / 1000) },
      limit: 100,
    });
    const dropped = events.filter((e) => [guest.sessionId, credits].includes((e.data.object as { id: string }).id));
    expect(dropped).toHaveLength(2);

    const reports = await Promise.all([
      reconcile({ since, by: 'test:a' }),
      ...dropped.map((e) => shop.local(`events/${e.id}/resend`, { copies: 5 })),
      reconcile({ since, by: 'test:b' }),
      shop.post('/api/checkout/confirm', { sessionId: guest.sessionId }),
    ]);
    await shop.stripeLocal.whenDeliveriesIdle();
    expect(reports.filter((r) => 'errors' in r).flatMap((r: any) => r.errors)).toEqual([]);
    const deliveries = shop.stripeLocal.deliveries().filter((d) => dropped.some((e) => e.id === d.event_id));
    expect(deliveries.length).toBeGreaterThanOrEqual(10);
    expect(deliveries.every((d) => d.status === 'succeeded')).toBe(true);

    expect(await purchaseOf(shop, guest.sessionId)).toMatchObject({ status: 'paid', unlockToken: guest.token });
    expect(await purchaseOf(shop, credits)).toMatchObject({ status: 'paid' });
    expect(receiptsTo(shop, `race.${t}@example.com`)).toHaveLength(1);
    expect(receiptsTo(shop, `race-credits.${t}@example.com`)).toHaveLength(1);
    const { receipts } = await shop.admin.query({
      receipts: { $: { where: { sessionId: { $in: [guest.sessionId, credits] } } } },
    });
    expect(receipts.map((r) => r.status)).toEqual(['sent', 'sent']);
    expect((await ledgerOf(buyer.id)).map((e) => [e.ref, e.amount, e.balance])).toEqual([[`grant:${credits}`, 10, 10]]);
    expect((await reconcile({ since, by: 'test:c' })).repaired).toEqual([]);
  });

  it('re-sends a failed receipt exactly once, however many runs race', async () => {
    const email = `failed-receipt.${tag()}@example.com`;
    const { sessionId } = await withReceiptsFailing(async () => {
      const bought = await guestCheckout(shop, 'wallpapers-warm', email);
      await shop.stripeLocal.whenDeliveriesIdle();
      return bought;
    });
    expect((await shop.admin.query({ receipts: { $: { where: { sessionId } } } })).receipts[0]).toMatchObject({
      status: 'failed',
    });
    expect(receiptsTo(shop, email)).toHaveLength(0);

    const runs = await Promise.all(Array.from({ length: 4 }, (_, i) => reconcile({ since, by: `test:${i}` })));
    expect(runs.flatMap((r) => r.receiptsResent)).toEqual([{ sessionId, to: email, result: 'sent' }]);
    expect(runs.flatMap((r) => r.repaired)).toEqual([]);
    expect(receiptsTo(shop, email)).toHaveLength(1);
    expect((await shop.admin.query({ receipts: { $: { where: { sessionId } } } })).receipts[0]).toMatchObject({
      status: 'sent',
    });
    expect((await reconcile({ since, by: 'test:again' })).receiptsResent).toEqual([]);
    expect(receiptsTo(shop, email)).toHaveLength(1);
  });

  it('re-sends a receipt whose send never finished (stuck in sending over five minutes), not a fresh one', async () => {
    const email = `stuck.${tag()}@example.com`;
    const { sessionId } = await guestCheckout(shop, 'wallpapers-warm', email);
    await shop.stripeLocal.whenDeliveriesIdle();
    const { receipts } = await shop.admin.query({ receipts: { $: { where: { sessionId } } } });
    // As if the sender crashed between claiming the receipt and sending it.
    await shop.admin.transact(
      shop.admin.tx.receipts[receipts[0].id].update({ status: 'sending', createdAt: Date.now() - 60_000 }),
    );
    expect((await reconcile({ since: new Date(Date.now() - 10 * 60_000), by: 'test' })).receiptsResent).toEqual([]);
    await shop.admin.transact(
      shop.admin.tx.receipts[receipts[0].id].update({ createdAt: since.getTime() - 6 * 60_000 }),
    );
    const report = await reconcile({ since: new Date(since.getTime() - 10 * 60_000), by: 'test' });
    expect(report.receiptsResent).toEqual([{ sessionId, to: email, result: 'sent' }]);
  });

  it('prunes rate-limit slots of past windows, webhook-log rows past 30 days and day-old recovery claims, keeping recent ones', async () => {
    const now = Date.now();
    const oldSlot = randomUUID();
    const freshSlot = randomUUID();
    const oldLog = randomUUID();
    const [oldClaim, freshClaim] = [randomUUID(), randomUUID()];
    const claim = (redeemedAt: number) => ({ email: 'pruned@example.com', expiresAt: redeemedAt + 60_000, redeemedAt });
    await shop.admin.transact([
      shop.admin.tx.recoveryClaims[oldClaim].create(claim(now - 2 * 86_400_000)),
      shop.admin.tx.recoveryClaims[freshClaim].create(claim(now - 60_000)),
      shop.admin.tx.rateSlots[oldSlot].update({
        slot: `test:old:${oldSlot}`,
        bucket: 'test:old',
        createdAt: now - 2 * 3_600_000,
      }),
      shop.admin.tx.rateSlots[freshSlot].update({
        slot: `test:fresh:${freshSlot}`,
        bucket: 'test:fresh',
        createdAt: now,
      }),
      shop.admin.tx.webhookEvents[oldLog].update({
        type: 'checkout.session.completed',
        outcome: 'fulfilled',
        source: 'webhook',
        durationMs: 1,
        receivedAt: now - 31 * 86_400_000,
      }),
    ]);
    const report = await reconcile({ since: new Date(now - 60_000), by: 'test:prune' });
    expect(report.pruned.rateSlots).toBeGreaterThanOrEqual(1);
    expect(report.pruned.webhookEvents).toBe(1);
    expect(report.pruned.recoveryClaims).toBeGreaterThanOrEqual(1);
    const left = await shop.admin.query({
      rateSlots: { $: { where: { id: { $in: [oldSlot, freshSlot] } } } },
      webhookEvents: { $: { where: { id: oldLog } } },
      recoveryClaims: { $: { where: { id: { $in: [oldClaim, freshClaim] } } } },
    });
    expect(left.recoveryClaims.map((c) => c.id)).toEqual([freshClaim]);
    expect(left.rateSlots.map((r: any) => r.id)).toEqual([freshSlot]);
    expect(left.webhookEvents).toEqual([]);
  });

  it('reads since as a duration or an ISO date, and refuses anything else', () => {
    const now = Date.parse('2026-01-02T00:00:00Z');
    expect(parseSince('24h', now).toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(parseSince('30m', now).toISOString()).toBe('2026-01-01T23:30:00.000Z');
    expect(parseSince(undefined, now).toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(parseSince('2025-12-25T10:00:00Z', now).toISOString()).toBe('2025-12-25T10:00:00.000Z');
    expect(() => parseSince('soon', now)).toThrow(/since must be/);
    expect(() => parseSince('2027-01-01', now)).toThrow(/past/);
  });
});
