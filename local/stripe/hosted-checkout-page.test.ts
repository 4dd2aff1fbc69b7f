import type Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startStripeLocal, type StripeLocal } from './server.ts';
import { control, sdkFor, sessionParams, startReceiver, type Receiver } from './test-support.ts';

let local: StripeLocal;
let stripe: Stripe;
let receiver: Receiver;

beforeAll(async () => {
  local = await startStripeLocal({ webhooks: { retryBaseDelayMs: 20 } });
  stripe = sdkFor(local);
  receiver = await startReceiver();
});
afterAll(async () => {
  await local.close();
  await receiver.close();
});
beforeEach(() => {
  local.reset();
  receiver.received.length = 0;
  receiver.secret = local.addWebhookEndpoint(receiver.url).secret;
});

function submit(url: string, fields: Record<string, string>): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields),
  });
}

const eventOf = (type: string, sessionId: string) => (r: { event: Stripe.Event | null }) =>
  r.event?.type === type && (r.event.data.object as { id: string }).id === sessionId;

describe('hosted checkout page', () => {
  it('shows the items and cancel link, pays with 4242 and redirects 303 to success_url with the id', async () => {
    const session = await stripe.checkout.sessions.create(
      sessionParams({ customer_creation: 'always', payment_intent_data: { metadata: { order: 'o_9' } } }),
    );
    const page = await fetch(session.url!);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Poster');
    expect(html).toContain('$20.00');
    expect(html).toContain('href="https://shop.test/cancel"');
    expect(html).toContain('TEST MODE');

    const res = await submit(session.url!, {
      email: 'buyer@example.com',
      name: 'Bea Buyer',
      method: 'card',
      card: '4242 4242 4242 4242',
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`https://shop.test/success?session_id=${session.id}`);

    const done = await stripe.checkout.sessions.retrieve(session.id, {
      expand: ['payment_intent.latest_charge', 'customer'],
    });
    expect(done).toMatchObject({
      status: 'complete',
      payment_status: 'paid',
      customer_details: { email: 'buyer@example.com', name: 'Bea Buyer' },
    });
    const customer = done.customer as Stripe.Customer;
    expect(customer.id).toMatch(/^cus_/);
    expect(customer.email).toBe('buyer@example.com');
    const pi = done.payment_intent as Stripe.PaymentIntent;
    expect(pi).toMatchObject({
      status: 'succeeded',
      amount: 2000,
      amount_received: 2000,
      currency: 'usd',
      customer: customer.id,
      metadata: { order: 'o_9' },
    });
    const charge = pi.latest_charge as Stripe.Charge;
    expect(charge.id).toMatch(/^ch_/);
    expect(charge).toMatchObject({
      status: 'succeeded',
      paid: true,
      amount: 2000,
      payment_intent: pi.id,
      billing_details: { email: 'buyer@example.com' },
    });
    expect(charge.payment_method_details?.card?.last4).toBe('4242');

    const completed = await receiver.waitFor(eventOf('checkout.session.completed', session.id));
    expect((completed.event!.data.object as Stripe.Checkout.Session).payment_status).toBe('paid');
    expect(completed.event!.request).toEqual({ id: null, idempotency_key: null });
    // Without customer_creation the buyer stays a guest.
    const guest = await stripe.checkout.sessions.create(sessionParams());
    await submit(guest.url!, { email: 'g@example.com', method: 'card', card: '4242424242424242' });
    expect((await stripe.checkout.sessions.retrieve(guest.id)).customer).toBeNull();
  });

  it('keeps the session open and says why when the card is declined', async () => {
    const session = await stripe.checkout.sessions.create(sessionParams());
    const res = await submit(session.url!, { email: 'buyer@example.com', method: 'card', card: '4000000000000002' });
    expect(res.status).toBe(402);
    expect(await res.text()).toContain('Your card was declined.');
    const after = await stripe.checkout.sessions.retrieve(session.id, { expand: ['payment_intent'] });
    expect(after.status).toBe('open');
    const pi = after.payment_intent as Stripe.PaymentIntent;
    expect(pi.status).toBe('requires_payment_method');
    expect(pi.last_payment_error?.decline_code).toBe('generic_decline');

    const bad = await submit(session.url!, { email: 'buyer@example.com', method: 'card', card: '1234' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('Your card number is invalid.');

    const ok = await submit(session.url!, { email: 'buyer@example.com', method: 'card', card: '4242424242424242' });
    expect(ok.status).toBe(303);
    expect((await stripe.checkout.sessions.retrieve(session.id)).payment_intent).toBe(pi.id);
  });

  it('asks for 3D Secure with 4000 0000 0000 3220, then completes or fails', async () => {
    const session = await stripe.checkout.sessions.create(sessionParams());
    const res = await submit(session.url!, { email: 'buyer@example.com', method: 'card', card: '4000000000003220' });
    expect(res.status).toBe(303);
    const authUrl = res.headers.get('location')!;
    expect(authUrl).toBe(`${session.url}/authenticate`);
    expect(await (await fetch(authUrl)).text()).toContain('Complete authentication');
    expect(
      (await stripe.checkout.sessions.retrieve(session.id, { expand: ['payment_intent'] })).payment_intent,
    ).toMatchObject({ status: 'requires_action' });

    const failed = await submit(authUrl, { outcome: 'fail' });
    expect(failed.status).toBe(402);
    expect(await failed.text()).toContain('unable to authenticate');
    expect((await stripe.checkout.sessions.retrieve(session.id)).status).toBe('open');

    await submit(session.url!, { email: 'buyer@example.com', method: 'card', card: '4000000000003220' });
    const approved = await submit(authUrl, { outcome: 'approve' });
    expect(approved.status).toBe(303);
    expect(approved.headers.get('location')).toContain(session.id);
    expect((await stripe.checkout.sessions.retrieve(session.id)).payment_status).toBe('paid');
  });

  it('completes a delayed payment unpaid, then sends async_payment_succeeded or _failed', async () => {
    const good = await stripe.checkout.sessions.create(sessionParams());
    const res = await submit(good.url!, { email: 'slow@example.com', method: 'delayed_success' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toContain(good.id);
    expect(await stripe.checkout.sessions.retrieve(good.id)).toMatchObject({
      status: 'complete',
      payment_status: 'unpaid',
    });
    const settle = await control(local, `/_local/checkout_sessions/${good.id}/settle`);
    expect(settle.status).toBe(200);
    await receiver.waitFor(eventOf('checkout.session.async_payment_succeeded', good.id));
    expect((await stripe.checkout.sessions.retrieve(good.id)).payment_status).toBe('paid');

    const bad = await stripe.checkout.sessions.create(sessionParams());
    await submit(bad.url!, { email: 'slow@example.com', method: 'delayed_failure' });
    await control(local, `/_local/checkout_sessions/${bad.id}/settle`);
    const failed = await receiver.waitFor(eventOf('checkout.session.async_payment_failed', bad.id));
    expect((failed.event!.data.object as Stripe.Checkout.Session).payment_status).toBe('unpaid');
    expect((await control(local, `/_local/checkout_sessions/${bad.id}/settle`)).status).toBe(400);
  });

  it('settles delayed payments by itself when asyncPaymentDelayMs is set', async () => {
    local.account.asyncPaymentDelayMs = 10;
    try {
      const s = await stripe.checkout.sessions.create(sessionParams());
      const r = await control(local, `/_local/checkout_sessions/${s.id}/pay`, {
        email: 'a@example.com',
        method: 'delayed',
        outcome: 'succeeded',
      });
      expect(r.body.status).toBe('processing');
      await receiver.waitFor(eventOf('checkout.session.async_payment_succeeded', s.id));
    } finally {
      local.account.asyncPaymentDelayMs = null;
    }
  });

  it('applies a promotion code on the page and completes a free order without card', async () => {
    const coupon = await stripe.coupons.create({ percent_off: 100 });
    await stripe.promotionCodes.create({ promotion: { type: 'coupon', coupon: coupon.id }, code: 'GIFT' });
    const session = await stripe.checkout.sessions.create(sessionParams({ allow_promotion_codes: true }));
    const wrong = await submit(session.url!, { action: 'apply_promo', promotion_code: 'NOPE' });
    expect(await wrong.text()).toContain('This code is invalid.');
    const applied = await submit(session.url!, { action: 'apply_promo', promotion_code: 'gift' });
    const html = await applied.text();
    expect(html).toContain('Complete order');
    expect(html).toContain('$0.00');
    const res = await submit(session.url!, { email: 'free@example.com' });
    expect(res.status).toBe(303);
    expect(await stripe.checkout.sessions.retrieve(session.id)).toMatchObject({
      payment_status: 'no_payment_required',
      status: 'complete',
    });
  });

  it('acts the same through the pay test control, and refuses to pay twice or after expiry', async () => {
    const session = await stripe.checkout.sessions.create(sessionParams());
    const declined = await control(local, `/_local/checkout_sessions/${session.id}/pay`, {
      email: 'x@example.com',
      card: '4000000000009995',
    });
    expect(declined.status).toBe(402);
    expect(declined.body).toMatchObject({ status: 'declined', error: { decline_code: 'insufficient_funds' } });
    const ok = await control(local, `/_local/checkout_sessions/${session.id}/pay`, {
      email: 'x@example.com',
      card: '4242424242424242',
    });
    expect(ok.body).toMatchObject({
      status: 'complete',
      redirect: `https://shop.test/success?session_id=${session.id}`,
    });
    const twice = await control(local, `/_local/checkout_sessions/${session.id}/pay`, {
      email: 'x@example.com',
      card: '4242424242424242',
    });
    expect(twice.status).toBe(400);

    const other = await stripe.checkout.sessions.create(sessionParams());
    expect((await control(local, `/_local/checkout_sessions/${other.id}/expire`)).status).toBe(200);
    await receiver.waitFor(eventOf('checkout.session.expired', other.id));
    expect((await fetch(`${local.url}/c/pay/${other.id}`)).status).toBe(410);
  });
});
