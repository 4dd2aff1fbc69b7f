// An operator answering "I paid and lost it": find everything for an email (typed in any case),
// re-send a receipt, refund (the webhook revokes access); every action is in the audit trail with
// who, what and when. The CLI does the same through the same code. Recovery: recover-link.test.ts.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../scripts/ops.ts';
import { ops, withOperatorShop } from '../support/ops.ts';
import {
  creditsCheckout,
  guestCheckout,
  paymentIntentOf,
  purchaseOf,
  receiptsTo,
  type SignedIn,
  signIn,
  uniqueEmail,
} from '../support/shop.ts';
import { withReceiptsFailing, type ShopStack } from '../support/shop-stack.ts';

let shop: ShopStack, operator: SignedIn;
withOperatorShop((s) => ({ shop, operator } = s));

describe('find by email', () => {
  it('finds a guest purchase, a credits pack with its ledger, and a download, for an email typed in another case', async () => {
    const email = uniqueEmail('lost');
    const guest = await guestCheckout(shop, 'wallpapers-warm', email.toUpperCase());
    const download = await guestCheckout(shop, 'field-guide', email);
    const buyer = await signIn(shop, email);
    const credits = await creditsCheckout(shop, buyer);
    await shop.stripeLocal.whenDeliveriesIdle();
    expect(
      (await shop.post('/api/generate', { topic: 'rain' }, { authorization: `Bearer ${buyer.token}` })).status,
    ).toBe(200);
    const other = await guestCheckout(shop, 'wallpapers-warm', 'someone-else@example.com');
    await shop.stripeLocal.whenDeliveriesIdle();

    const found = await ops(shop, operator, 'find', { email: `  ${email.toUpperCase()} ` });
    expect(found.email).toBe(email);
    expect(found.user).toMatchObject({ id: buyer.id, email, stripeCustomerId: expect.stringMatching(/^cus_/) });
    const bySession = Object.fromEntries(found.purchases.map((p: any) => [p.sessionId, p]));
    expect(Object.keys(bySession).sort()).toEqual([guest.sessionId, download.sessionId, credits].sort());
    expect(bySession[other.sessionId]).toBeUndefined();
    const { pi } = await paymentIntentOf(shop, guest.sessionId);
    expect(bySession[guest.sessionId]).toMatchObject({
      status: 'paid',
      access: true,
      title: 'Warm trio',
      paymentIntentId: pi,
      amount: 500,
      receipt: { status: 'sent', to: email },
    });
    expect(bySession[credits]).toMatchObject({
      status: 'paid',
      kind: 'credits',
      paymentIntentId: expect.stringMatching(/^pi_/),
    });
    expect(found.ledger.map((e: any) => [e.amount, e.balance])).toEqual([
      [10, 10],
      [-1, 9],
    ]);
    expect(found.balance).toBe(9);
    expect(found.downloads).toEqual([
      {
        purchaseId: bySession[download.sessionId].id,
        title: 'The Wallpaper Field Guide',
        available: true,
        file: 'wallpaper-field-guide.pdf',
        reason: null,
      },
    ]);

    const nobody = await ops(shop, operator, 'find', { email: 'nobody-here@example.com' });
    expect(nobody).toMatchObject({ user: null, purchases: [], ledger: [], balance: 0, downloads: [] });
  });

  it('shows a paid purchase of unknown type as not fulfilled, with the reason and the fix', async () => {
    const email = uniqueEmail('mystery');
    const session = await shop.stripe.checkout.sessions.create({
      mode: 'payment',
      line_items: [
        { quantity: 1, price_data: { currency: 'usd', unit_amount: 700, product_data: { name: 'No type anywhere' } } },
      ],
      success_url: `${shop.api}/success?session_id={CHECKOUT_SESSION_ID}`,
    });
    await shop.pay(session.id, { email, card: '4242424242424242' });
    await shop.stripeLocal.whenDeliveriesIdle();
    const found = await ops(shop, operator, 'find', { email });
    expect(found.purchases).toMatchObject([
      {
        sessionId: session.id,
        status: 'paid',
        access: false,
        unfulfilledReason: expect.stringMatching(/STRIPE_PRODUCT_MAP/),
      },
    ]);
  });
});

describe('resend receipt', () => {
  it('sends a receipt that failed, once, and records who asked', async () => {
    const email = uniqueEmail('noreceipt');
    const { sessionId } = await withReceiptsFailing(async () => {
      const bought = await guestCheckout(shop, 'wallpapers-warm', email);
      await shop.stripeLocal.whenDeliveriesIdle();
      return bought;
    });
    const { receipts } = await shop.admin.query({ receipts: { $: { where: { sessionId } } } });
    expect(receipts[0]).toMatchObject({ status: 'failed' });
    expect(receiptsTo(shop, email)).toHaveLength(0);

    expect(await ops(shop, operator, 'resend-receipt', { sessionId })).toEqual({
      sessionId,
      to: email,
      result: 'sent',
    });
    expect(receiptsTo(shop, email)).toHaveLength(1);
    expect((await shop.admin.query({ receipts: { $: { where: { sessionId } } } })).receipts[0]).toMatchObject({
      status: 'sent',
    });
    const { receiptResends } = await shop.admin.query({ receiptResends: { $: { where: { sessionId } } } });
    expect(receiptResends).toMatchObject([{ slot: `${sessionId}:1`, by: 'ops@example.com', outcome: 'sent' }]);

    // Asked again, the operator gets another copy (its own idempotency key), not a silent no-op.
    expect(await ops(shop, operator, 'resend-receipt', { sessionId })).toEqual({
      sessionId,
      to: email,
      result: 'sent',
    });
    expect(receiptsTo(shop, email)).toHaveLength(2);
  });

  it('says so when no receipt is owed', async () => {
    const { sessionId } = await guestCheckout(shop);
    expect(await ops(shop, operator, 'resend-receipt', { sessionId })).toMatchObject({
      result: 'skipped',
      reason: expect.stringMatching(/not paid/),
    });
  });
});

describe('refund', () => {
  it('refunds in Stripe, and the webhook revokes access as for a dashboard refund', async () => {
    const email = uniqueEmail('refund');
    const { sessionId, token } = await guestCheckout(shop, 'wallpapers-all', email);
    await shop.stripeLocal.whenDeliveriesIdle();
    expect(await purchaseOf(shop, sessionId)).toMatchObject({ status: 'paid', unlockToken: token });

    // Partial: Stripe refunds it, access stays. The same request id twice is one refund.
    const requestId = randomUUID();
    const partial = await ops(shop, operator, 'refund', { sessionId, amount: 200, requestId });
    expect(partial).toMatchObject({ refundId: expect.stringMatching(/^re_/), amount: 200, status: 'succeeded' });
    expect(await ops(shop, operator, 'refund', { sessionId, amount: 200, requestId })).toMatchObject({
      refundId: partial.refundId,
    });
    await shop.stripeLocal.whenDeliveriesIdle();
    const { pi } = await paymentIntentOf(shop, sessionId);
    expect((await shop.stripe.refunds.list({ payment_intent: pi })).data).toHaveLength(1);
    expect(await purchaseOf(shop, sessionId)).toMatchObject({ status: 'paid', unlockToken: token });

    // Full (the rest): revoked by charge.refunded through the webhook.
    const full = await ops(shop, operator, 'refund', { sessionId });
    expect(full).toMatchObject({ amount: 1000 });
    await shop.stripeLocal.whenDeliveriesIdle();
    const p = await purchaseOf(shop, sessionId);
    expect(p.status).toBe('refunded');
    expect(p.unlockToken).toBeUndefined();
    const { webhookEvents } = await shop.admin.query({
      webhookEvents: { $: { where: { sessionId, type: 'charge.refunded' } } },
    });
    expect(webhookEvents.some((e) => e.purchaseStatus === 'refunded' && e.outcome === 'fulfilled')).toBe(true);

    // Nothing left: Stripe's refusal is the answer.
    const again = await shop.post('/api/ops/refund', { sessionId }, { authorization: `Bearer ${operator.token}` });
    expect(again.status).toBe(409);
    expect((await again.json()).error).toMatch(/Stripe refused the refund/);
  });

  it('refuses a session with no payment', async () => {
    const { sessionId } = await guestCheckout(shop);
    const res = await shop.post('/api/ops/refund', { sessionId }, { authorization: `Bearer ${operator.token}` });
    expect(res.status).toBe(409);
    expect(
      (
        await shop.post(
          '/api/ops/refund',
          { sessionId: 'cs_test_missing' },
          { authorization: `Bearer ${operator.token}` },
        )
      ).status,
    ).toBe(404);
  });
});

describe('audit trail', () => {
  it('records each action with who, what, on what, when and how it ended; the CLI records as cli:<user>', async () => {
    const email = uniqueEmail('audit');
    const { sessionId } = await guestCheckout(shop, 'wallpapers-warm', email);
    await shop.stripeLocal.whenDeliveriesIdle();
    const before = Date.now();
    await ops(shop, operator, 'find', { email });
    await ops(shop, operator, 'refund', { sessionId, amount: 100 });
    expect(
      (await shop.post('/api/ops/refund', { sessionId, amount: 99999 }, { authorization: `Bearer ${operator.token}` }))
        .status,
    ).toBe(409);
    const cli = await runCli(['find', email.toUpperCase()], 'cli:tester');
    expect(cli.text).toContain(sessionId);
    const { text } = await runCli(['audit', '--limit', '10'], 'cli:tester');

    const trail = await ops(shop, operator, 'audit', { limit: 10 });
    const mine = trail.filter((a: any) => new Date(a.createdAt).getTime() >= before);
    expect(mine.map((a: any) => [a.operator, a.action, a.target, a.ok])).toEqual([
      ['cli:tester', 'audit', undefined, true],
      ['cli:tester', 'find', email, true],
      ['ops@example.com', 'refund', sessionId, false],
      ['ops@example.com', 'refund', sessionId, true],
      ['ops@example.com', 'find', email, true],
    ]);
    expect(mine[2].detail).toMatch(/Stripe refused/);
    expect(mine[3].detail).toMatch(/^re_\w+ 100 usd succeeded$/);
    expect(JSON.parse(text).map((a: any) => a.action)).toContain('refund');
  });
});
