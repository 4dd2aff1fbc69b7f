// The webhook log: every delivery recorded with its outcome and time taken (including failures
// and unsigned posts), filterable by type, outcome, email or session; replays run the event
// through the webhook's own path again, or have the stand-in resend it.
import { describe, expect, it } from 'vitest';
import { ops, withOperatorShop } from '../support/ops.ts';
import { guestCheckout, purchaseOf, type SignedIn, uniqueEmail } from '../support/shop.ts';
import type { ShopStack } from '../support/shop-stack.ts';

let shop: ShopStack, operator: SignedIn;
withOperatorShop((s) => ({ shop, operator } = s));

describe('webhook log', () => {
  it('records each delivery with its outcome and duration, and filters by email, session, type and outcome', async () => {
    const email = uniqueEmail('logged');
    const { sessionId } = await guestCheckout(shop, 'wallpapers-warm', email);
    await shop.stripeLocal.whenDeliveriesIdle();
    const delivered = shop.stripeLocal.deliveries().filter((d) => d.status === 'succeeded');
    const { webhookEvents } = await shop.admin.query({ webhookEvents: {} });
    // One entry per delivery, each with the event's id and type.
    expect(webhookEvents.length).toBe(delivered.length);
    expect(new Set(webhookEvents.map((e) => e.eventId))).toEqual(new Set(delivered.map((d) => d.event_id)));

    const mine = await ops(shop, operator, 'webhooks', { q: email.toUpperCase() });
    // Only handled events name a session (charge.succeeded and the like are logged as ignored).
    expect(mine.map((e: any) => e.type)).toEqual(['checkout.session.completed']);
    const completed = mine.find((e: any) => e.type === 'checkout.session.completed');
    expect(completed).toMatchObject({
      outcome: 'fulfilled',
      purchaseStatus: 'paid',
      sessionId,
      source: 'webhook',
      eventId: expect.stringMatching(/^evt_/),
    });
    expect(completed.durationMs).toBeGreaterThanOrEqual(0);
    expect(completed.error).toBeUndefined();
    expect(await ops(shop, operator, 'webhooks', { q: sessionId })).toEqual(mine);

    const ignored = await ops(shop, operator, 'webhooks', { outcome: 'ignored' });
    expect(ignored.length).toBeGreaterThan(0);
    expect(ignored.every((e: any) => e.outcome === 'ignored' && !e.sessionId)).toBe(true);
    expect(ignored.map((e: any) => e.type)).toContain('payment_intent.succeeded');
    const byType = await ops(shop, operator, 'webhooks', { type: 'checkout.session.completed' });
    expect(byType.length).toBeGreaterThan(0);
    expect(byType.every((e: any) => e.type === 'checkout.session.completed')).toBe(true);
  });

  it('records an unsigned post as rejected and a failed delivery with its error; a replay repairs it', async () => {
    const res = await fetch(`${shop.api}/api/stripe/webhook`, {
      method: 'POST',
      headers: { 'stripe-signature': 't=1,v1=forged' },
      body: '{}',
    });
    expect(res.status).toBe(400);
    const rejected = await ops(shop, operator, 'webhooks', { outcome: 'rejected' });
    expect(rejected[0]).toMatchObject({
      type: '(unverified)',
      outcome: 'rejected',
      error: expect.stringMatching(/signature/),
    });
    expect(rejected[0].eventId).toBeUndefined();

    // Stripe unreachable from the handler (the signature still checks out): every attempt fails.
    const { sessionId } = await guestCheckout(shop);
    const base = process.env.STRIPE_API_BASE;
    await shop.local('config', { max_attempts: 2 });
    process.env.STRIPE_API_BASE = 'http://127.0.0.1:9';
    try {
      await shop.pay(sessionId, { email: 'outage@example.com', card: '4242424242424242' });
      await shop.stripeLocal.whenDeliveriesIdle();
    } finally {
      process.env.STRIPE_API_BASE = base;
      await shop.local('config', { max_attempts: 5 });
    }
    const [event] = (await shop.stripe.events.list({ type: 'checkout.session.completed', limit: 5 })).data.filter(
      (e) => (e.data.object as any).id === sessionId,
    );
    expect(
      shop.stripeLocal
        .deliveries()
        .filter((d) => d.event_id === event.id)
        .map((d) => d.status),
    ).toEqual(['retrying', 'failed']);
    const failed = await ops(shop, operator, 'webhooks', { q: event.id });
    expect(failed).toHaveLength(2);
    for (const e of failed) {
      expect(e).toMatchObject({
        outcome: 'failed',
        type: 'checkout.session.completed',
        source: 'webhook',
        error: expect.any(String),
      });
      expect(e.durationMs).toBeGreaterThan(0);
    }
    // The event's own (signed) copy was written; the re-read after it could not be made, so no
    // delivery succeeded, and a redelivery would read Stripe before answering.
    expect(await purchaseOf(shop, sessionId)).toMatchObject({ status: 'paid' });

    // Replay (re-process) runs the webhook's path again, and is logged as a replay.
    const replayed = await ops(shop, operator, 'replay', { eventId: event.id });
    expect(replayed).toMatchObject({ via: 'reprocess', eventId: event.id, handled: true, sessionId, status: 'paid' });
    expect(await purchaseOf(shop, sessionId)).toMatchObject({ status: 'paid' });
    const after = await ops(shop, operator, 'webhooks', { q: event.id });
    expect(after).toHaveLength(3);
    expect(after[0]).toMatchObject({ source: 'replay', outcome: 'fulfilled', purchaseStatus: 'paid', sessionId });
  });

  it('replays through the stand-in, which delivers the event to the endpoint again', async () => {
    const { sessionId } = await guestCheckout(shop, 'wallpapers-warm', 'resend-me@example.com');
    await shop.stripeLocal.whenDeliveriesIdle();
    const [event] = (await shop.stripe.events.list({ type: 'checkout.session.completed', limit: 5 })).data.filter(
      (e) => (e.data.object as any).id === sessionId,
    );
    expect(await ops(shop, operator, 'replay', { eventId: event.id, via: 'resend' })).toEqual({
      via: 'resend',
      eventId: event.id,
      queued: 1,
    });
    await shop.stripeLocal.whenDeliveriesIdle();
    const log = await ops(shop, operator, 'webhooks', { q: event.id });
    expect(log.map((e: any) => [e.source, e.outcome])).toEqual([
      ['webhook', 'fulfilled'],
      ['webhook', 'fulfilled'],
    ]);
    const missing = await shop.post(
      '/api/ops/replay',
      { eventId: 'evt_missing' },
      { authorization: `Bearer ${operator.token}` },
    );
    expect(missing.status).toBe(404);
  });
});
