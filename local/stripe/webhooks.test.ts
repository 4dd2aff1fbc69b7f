import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startStripeLocal, type StripeLocal } from './server.ts';
import { control, sdkFor, sessionParams, startReceiver, type Receiver } from './test-support.ts';
import type { DeliveryAttempt } from './webhooks.ts';

let local: StripeLocal;
let stripe: Stripe;
let receiver: Receiver;
let endpointId: string;

beforeAll(async () => {
  local = await startStripeLocal({ webhooks: { retryBaseDelayMs: 20, maxAttempts: 4, timeoutMs: 300 } });
  stripe = sdkFor(local);
  receiver = await startReceiver();
});
afterAll(async () => {
  await local.close();
  await receiver.close();
});
beforeEach(async () => {
  local.reset();
  receiver.received.length = 0;
  receiver.plan = [];
  const endpoint = await stripe.webhookEndpoints.create({ url: receiver.url, enabled_events: ['*'] });
  receiver.secret = endpoint.secret!;
  endpointId = endpoint.id;
});

/** A paid session and its charge, through the hosted-page logic. */
async function paidCharge(
  card = '4242424242424242',
): Promise<{ session: Stripe.Checkout.Session; charge: Stripe.Charge }> {
  const session = await stripe.checkout.sessions.create(sessionParams());
  const paid = await control(local, `/_local/checkout_sessions/${session.id}/pay`, {
    email: 'buyer@example.com',
    card,
  });
  expect(paid.status).toBe(200);
  const pi = await stripe.paymentIntents.retrieve(
    String((await stripe.checkout.sessions.retrieve(session.id)).payment_intent),
  );
  return { session, charge: await stripe.charges.retrieve(String(pi.latest_charge)) };
}

const ofType = (type: string) => (r: { event: Stripe.Event | null }) => r.event?.type === type;

function nextAttempt(test: (a: DeliveryAttempt) => boolean): Promise<DeliveryAttempt> {
  return new Promise((resolve) => {
    const off = local.onDelivery((a) => {
      if (test(a)) {
        off();
        resolve(a);
      }
    });
  });
}

describe('webhook delivery', () => {
  it('signs the exact JSON bytes so constructEvent accepts them, and rejects tampering', async () => {
    const customer = await stripe.customers.create({ email: 'sig@example.com' });
    const got = await receiver.waitFor(ofType('customer.created'));
    expect(got.status).toBe(200);
    expect(got.signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    const event = got.event!;
    expect(event).toMatchObject({
      object: 'event',
      type: 'customer.created',
      livemode: false,
      api_version: Stripe.API_VERSION,
    });
    expect(event.id).toMatch(/^evt_/);
    expect((event.data.object as Stripe.Customer).id).toBe(customer.id);
    expect(event.request?.id).toMatch(/^req_/);

    const verifier = new Stripe('sk_test_x');
    const tampered = got.body.replace('sig@example.com', 'evil@example.com');
    expect(() => verifier.webhooks.constructEvent(tampered, got.signature, receiver.secret)).toThrow(
      Stripe.errors.StripeSignatureVerificationError,
    );
    expect(() => verifier.webhooks.constructEvent(got.body, got.signature, 'whsec_wrong')).toThrow(
      Stripe.errors.StripeSignatureVerificationError,
    );
    expect(verifier.webhooks.constructEvent(got.body, got.signature, receiver.secret).id).toBe(event.id);

    await local.whenDeliveriesIdle();
    expect((await stripe.events.retrieve(event.id)).pending_webhooks).toBe(0);
  });

  it('delivers only subscribed event types, and not from inside the API request', async () => {
    await stripe.webhookEndpoints.update(endpointId, { enabled_events: ['product.created'] });
    local.account.webhooks.hold();
    const product = await stripe.products.create({ name: 'Held' });
    // The API answered while the delivery is still queued.
    expect(local.account.webhooks.heldCount).toBe(1);
    await stripe.customers.create({ email: 'ignored@example.com' });
    expect(local.account.webhooks.heldCount).toBe(1);
    local.account.webhooks.release();
    const got = await receiver.waitFor(ofType('product.created'));
    expect((got.event!.data.object as Stripe.Product).id).toBe(product.id);
    await local.whenDeliveriesIdle();
    expect(receiver.received.some((r) => r.event?.type === 'customer.created')).toBe(false);
  });

  it('retries with backoff after a 500 and logs every attempt', async () => {
    receiver.plan = [500, 500];
    const customer = await stripe.customers.create({ email: 'retry@example.com' });
    const ok = await receiver.waitFor((r) => r.status === 200 && r.event?.type === 'customer.created');
    expect((ok.event!.data.object as Stripe.Customer).id).toBe(customer.id);
    const attempts = receiver.received.filter((r) => r.event?.id === ok.event!.id);
    expect(attempts.map((a) => a.status)).toEqual([500, 500, 200]);
    await local.whenDeliveriesIdle();
    const log = await fetch(`${local.url}/_local/deliveries?event=${ok.event!.id}`).then(
      (r) => r.json() as Promise<{ data: DeliveryAttempt[] }>,
    );
    expect(log.data.map((d) => [d.attempt, d.status, d.response_status])).toEqual([
      [3, 'succeeded', 200],
      [2, 'retrying', 500],
      [1, 'retrying', 500],
    ]);
    expect(log.data[2].finished_at).toBeLessThanOrEqual(log.data[1].signed_at);
  });

  it('retries after a timeout and gives up after maxAttempts', async () => {
    const slow = createServer(() => {
      /* never answers */
    });
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/hook`;
      await stripe.webhookEndpoints.del(endpointId);
      await stripe.webhookEndpoints.create({ url, enabled_events: ['coupon.created'] });
      const finalAttempt = nextAttempt((a) => a.status === 'failed');
      await stripe.coupons.create({ percent_off: 10 });
      const failed = await finalAttempt;
      expect(failed.attempt).toBe(4);
      expect(failed.error).toMatch(/timed out/);
      expect(
        local
          .deliveries()
          .filter((d) => d.event_id === failed.event_id)
          .map((d) => d.status),
      ).toEqual(['retrying', 'retrying', 'retrying', 'failed']);
    } finally {
      slow.closeAllConnections();
      slow.close();
    }
  });

  it('resends an event as several concurrent copies, and delayed', async () => {
    const customer = await stripe.customers.create({ email: 'copies@example.com' });
    const original = await receiver.waitFor(ofType('customer.created'));
    const res = await control(local, `/_local/events/${original.event!.id}/resend`, { copies: 5 });
    expect(res.body).toMatchObject({ queued: 5, endpoints: [endpointId] });
    const all = await receiver.waitForCount((r) => r.event?.id === original.event!.id, 6);
    // Copies carry the same event; only `pending_webhooks` reflects the moment of sending.
    expect(new Set(all.map((r) => JSON.stringify({ ...r.event!, pending_webhooks: 0 }))).size).toBe(1);
    expect(all.every((r) => (r.event!.data.object as Stripe.Customer).id === customer.id)).toBe(true);

    const before = Date.now();
    await control(local, `/_local/events/${original.event!.id}/resend`, { delay_ms: 150 });
    await receiver.waitForCount((r) => r.event?.id === original.event!.id, 7);
    expect(Date.now() - before).toBeGreaterThanOrEqual(140);
  });

  it('holds deliveries and releases them in reverse order', async () => {
    expect((await control(local, '/_local/webhooks/hold')).status).toBe(200);
    const a = await stripe.customers.create({ email: 'first@example.com' });
    const b = await stripe.customers.create({ email: 'second@example.com' });
    const released = await control(local, '/_local/webhooks/release', { order: 'reverse' });
    expect(released.body.released).toBe(2);
    const both = await receiver.waitForCount(ofType('customer.created'), 2);
    expect(both.map((r) => (r.event!.data.object as Stripe.Customer).id)).toEqual([b.id, a.id]);
  });
});

describe('refunds and disputes', () => {
  it('refunds partially then fully, emitting refund.created and charge.refunded', async () => {
    const { charge } = await paidCharge();
    const partial = await stripe.refunds.create({
      payment_intent: String(charge.payment_intent),
      amount: 500,
      reason: 'requested_by_customer',
    });
    expect(partial.id).toMatch(/^re_/);
    expect(partial).toMatchObject({
      object: 'refund',
      amount: 500,
      status: 'succeeded',
      charge: charge.id,
      currency: 'usd',
    });
    expect(await stripe.charges.retrieve(charge.id)).toMatchObject({ amount_refunded: 500, refunded: false });
    const tooMuch = (await stripe.refunds
      .create({ charge: charge.id, amount: 5000 })
      .catch((e: unknown) => e)) as Stripe.errors.StripeError;
    expect(tooMuch.param).toBe('amount');
    const rest = await stripe.refunds.create({ charge: charge.id });
    expect(rest.amount).toBe(1500);
    const after = await stripe.charges.retrieve(charge.id, { expand: ['refunds'] });
    expect(after).toMatchObject({ amount_refunded: 2000, refunded: true });
    expect(after.refunds?.data.map((r) => r.id).sort()).toEqual([partial.id, rest.id].sort());
    const again = (await stripe.refunds
      .create({ charge: charge.id })
      .catch((e: unknown) => e)) as Stripe.errors.StripeError;
    expect(again.code).toBe('charge_already_refunded');

    const refunded = await receiver.waitForCount(ofType('charge.refunded'), 2);
    expect(refunded.map((r) => (r.event!.data.object as Stripe.Charge).amount_refunded).sort((x, y) => x - y)).toEqual([
      500, 2000,
    ]);
    const created = await receiver.waitForCount(ofType('refund.created'), 2);
    expect(created.map((r) => (r.event!.data.object as Stripe.Refund).id).sort()).toEqual([partial.id, rest.id].sort());
    expect((await stripe.refunds.list({ charge: charge.id })).data).toHaveLength(2);
  });

  it('fails a refund later through the control: refund.updated and refund.failed', async () => {
    const { charge } = await paidCharge();
    const refund = await stripe.refunds.create({ charge: charge.id });
    const failed = await control(local, `/_local/refunds/${refund.id}/fail`);
    expect(failed.body).toMatchObject({ status: 'failed', failure_reason: 'expired_or_canceled_card' });
    const event = await receiver.waitFor(ofType('refund.failed'));
    expect((event.event!.data.object as Stripe.Refund).id).toBe(refund.id);
    const updated = await receiver.waitFor(ofType('refund.updated'));
    expect(updated.event!.data.previous_attributes).toEqual({ status: 'succeeded' });
    expect(await stripe.charges.retrieve(charge.id)).toMatchObject({ amount_refunded: 0, refunded: false });
  });

  it('opens and closes disputes (won and lost) with charge.dispute.created/closed', async () => {
    const { charge } = await paidCharge();
    const opened = await control<Stripe.Dispute>(local, `/_local/charges/${charge.id}/dispute`, {
      reason: 'product_not_received',
    });
    expect(opened.body.id).toMatch(/^dp_/);
    expect(opened.body).toMatchObject({
      object: 'dispute',
      status: 'needs_response',
      charge: charge.id,
      amount: 2000,
      reason: 'product_not_received',
    });
    expect((await stripe.charges.retrieve(charge.id)).disputed).toBe(true);
    const created = await receiver.waitFor(ofType('charge.dispute.created'));
    expect((created.event!.data.object as Stripe.Dispute).id).toBe(opened.body.id);
    const refundErr = (await stripe.refunds
      .create({ charge: charge.id })
      .catch((e: unknown) => e)) as Stripe.errors.StripeError;
    expect(refundErr.code).toBe('charge_disputed');

    const won = await control<Stripe.Dispute>(local, `/_local/disputes/${opened.body.id}/close`, { status: 'won' });
    expect(won.body.status).toBe('won');
    const closed = await receiver.waitFor(ofType('charge.dispute.closed'));
    expect(closed.event!.data.object).toMatchObject({ id: opened.body.id, status: 'won' });
    expect(closed.event!.data.previous_attributes).toEqual({ status: 'needs_response' });

    // 4000 0000 0000 0259 disputes itself; accepting via the API loses it.
    const second = await paidCharge('4000000000000259');
    const disputes = await stripe.disputes.list({ charge: second.charge.id });
    expect(disputes.data).toHaveLength(1);
    const lost = await stripe.disputes.close(disputes.data[0].id);
    expect(lost.status).toBe('lost');
    await receiver.waitFor(
      (r) => r.event?.type === 'charge.dispute.closed' && (r.event.data.object as Stripe.Dispute).status === 'lost',
    );
  });

  it('triggers fixtures like the Stripe CLI', async () => {
    const res = await control<{ events: { type: string }[] }>(local, '/_local/trigger', {
      event: 'checkout.session.completed',
    });
    expect(res.body.events.map((e) => e.type)).toContain('checkout.session.completed');
    await receiver.waitFor(ofType('checkout.session.completed'));
    const unknown = await control(local, '/_local/trigger', { event: 'nope.nope' });
    expect(unknown.status).toBe(400);
  });
});
