// A delivery of an event that was already fully applied is answered from its `appliedEvents`
// record: one Instant read and its webhook-log entry, no Stripe call (counted at the stand-ins).
// An event is recorded as applied only once everything it causes is done; a replay re-runs it.
import { randomUUID } from 'node:crypto';
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appliedEventId } from '../api/_lib/fulfillment/process-event.ts';
import { prune, WEBHOOK_LOG_TTL_MS } from '../api/_lib/ops/prune.ts';
import { ops, startShopWithOperator } from './support/ops.ts';
import {
  guestCheckout,
  guestCheckoutReceiptFailed,
  paymentIntentOf,
  purchaseOf,
  type SignedIn,
} from './support/shop.ts';
import type { ShopStack } from './support/shop-stack.ts';

let shop: ShopStack;
let operator: SignedIn;

beforeAll(async () => {
  ({ shop, operator } = await startShopWithOperator());
});
afterAll(() => shop.close());

const tag = () => randomUUID().slice(0, 8);
const receiptsTo = (to: string) => shop.mailbox.messages({ to }).filter((m) => m.subject.startsWith('Your receipt'));
const receiptOf = async (sessionId: string) =>
  (await shop.admin.query({ receipts: { $: { where: { sessionId } } } })).receipts[0];

/** Calls made at each stand-in while `fn` runs (the difference of their request counters). */
async function callsDuring(fn: () => Promise<unknown>) {
  const stripeBefore = shop.stripeLocal.apiRequestCounts();
  const instantBefore = shop.instant.requestCounts();
  await fn();
  const diff = (after: Record<string, number>, before: Record<string, number>) =>
    Object.fromEntries(
      Object.entries(after).flatMap(([k, n]) => (n - (before[k] ?? 0) ? [[k, n - (before[k] ?? 0)]] : [])),
    );
  return {
    stripe: diff(shop.stripeLocal.apiRequestCounts(), stripeBefore),
    instant: diff(shop.instant.requestCounts(), instantBefore),
  };
}

async function completedEvent(sessionId: string): Promise<Stripe.Event> {
  const { data } = await shop.stripe.events.list({ type: 'checkout.session.completed', limit: 100 });
  const event = data.find((e) => (e.data.object as { id: string }).id === sessionId);
  expect(event, `no checkout.session.completed for ${sessionId}`).toBeDefined();
  return event!;
}

const appliedRecord = async (eventId: string) =>
  (await shop.admin.query({ appliedEvents: { $: { where: { id: appliedEventId(eventId) } } } })).appliedEvents[0];
const logOf = async (eventId: string) =>
  (await shop.admin.query({ webhookEvents: { $: { where: { eventId }, order: { receivedAt: 'asc' } } } }))
    .webhookEvents as any[];

async function redeliver(eventId: string, copies = 1) {
  expect((await shop.local(`events/${eventId}/resend`, { copies })).status).toBe(200);
  await shop.stripeLocal.whenDeliveriesIdle();
}

describe('applied events', () => {
  it('answers a duplicate of an applied event with one Instant read and its log entry, and no Stripe call', async () => {
    const email = `applied.${tag()}@example.com`;
    const { sessionId } = await guestCheckout(shop, 'wallpapers-warm');
    // The first delivery writes from the event's own copy of the session and reads Stripe once,
    // after the write (write, then re-read).
    const firstCalls = await callsDuring(async () => {
      await shop.pay(sessionId, { email, card: '4242424242424242' });
      await shop.stripeLocal.whenDeliveriesIdle();
    });
    expect(firstCalls.stripe).toEqual({ [`GET /v1/checkout/sessions/${sessionId}`]: 1 });
    const event = await completedEvent(sessionId);
    expect(await appliedRecord(event.id)).toMatchObject({
      eventId: event.id,
      sessionId,
      purchaseStatus: 'paid',
      type: 'checkout.session.completed',
    });

    const calls = await callsDuring(() => redeliver(event.id));
    expect(calls.stripe).toEqual({});
    expect(calls.instant).toEqual({ 'POST /admin/query': 1, 'POST /admin/transact': 1 });

    const log = await logOf(event.id);
    expect(log).toHaveLength(2);
    expect(log[1]).toMatchObject({ source: 'webhook', outcome: 'fulfilled', sessionId, purchaseStatus: 'paid' });
    expect(receiptsTo(email)).toHaveLength(1);
  });

  it('records concurrent first deliveries once; all of them converge on one purchase and one receipt', async () => {
    const email = `concurrent.${tag()}@example.com`;
    await shop.local('webhooks/hold');
    const { sessionId } = await guestCheckout(shop, 'wallpapers-all', email);
    const event = await completedEvent(sessionId);
    await shop.local(`events/${event.id}/resend`, { copies: 5 });
    await shop.local('webhooks/release', { order: 'shuffle' });
    await shop.stripeLocal.whenDeliveriesIdle();
    const { purchases, appliedEvents } = await shop.admin.query({
      purchases: { $: { where: { sessionId } } },
      appliedEvents: { $: { where: { eventId: event.id } } },
    });
    expect(purchases.map((p) => p.status)).toEqual(['paid']);
    expect(appliedEvents).toHaveLength(1);
    expect(receiptsTo(email)).toHaveLength(1);
    expect((await logOf(event.id)).map((e) => e.outcome)).toEqual(Array(6).fill('fulfilled'));
  });

  it('does not record an event whose receipt failed; a redelivery sends it and then records the event', async () => {
    const email = `receipt-failed.${tag()}@example.com`;
    const { sessionId } = await guestCheckoutReceiptFailed(shop, 'wallpapers-warm', email);
    const event = await completedEvent(sessionId);
    expect(await receiptOf(sessionId)).toMatchObject({ status: 'failed' });
    expect(await appliedRecord(event.id)).toBeUndefined();

    // Still unapplied, so the redelivery runs the path again and re-sends; the purchase it read
    // with the event already says what Stripe does, so it reads the session once and writes nothing.
    const calls = await callsDuring(() => redeliver(event.id));
    expect(calls.stripe).toEqual({ [`GET /v1/checkout/sessions/${sessionId}`]: 1 });
    expect(receiptsTo(email)).toHaveLength(1);
    expect(await receiptOf(sessionId)).toMatchObject({ status: 'sent' });
    expect(await appliedRecord(event.id)).toMatchObject({ sessionId, purchaseStatus: 'paid' });

    const again = await callsDuring(() => redeliver(event.id, 2));
    expect(again.stripe).toEqual({});
    expect(receiptsTo(email)).toHaveLength(1);
  });

  it('prunes records older than 30 days; a delivery of a pruned event runs the path again, still exactly once', async () => {
    const email = `pruned.${tag()}@example.com`;
    const { sessionId } = await guestCheckout(shop, 'wallpapers-warm', email);
    await shop.stripeLocal.whenDeliveriesIdle();
    const event = await completedEvent(sessionId);
    expect((await prune(Date.now() + 60_000)).appliedEvents).toBe(0);
    expect(await appliedRecord(event.id)).toBeDefined();

    expect((await prune(Date.now() + WEBHOOK_LOG_TTL_MS + 60_000)).appliedEvents).toBeGreaterThan(0);
    expect(await appliedRecord(event.id)).toBeUndefined();
    await redeliver(event.id);
    expect(await appliedRecord(event.id)).toMatchObject({ sessionId, purchaseStatus: 'paid' });
    expect(receiptsTo(email)).toHaveLength(1);
    const { purchases } = await shop.admin.query({ purchases: { $: { where: { sessionId } } } });
    expect(purchases.map((p) => p.status)).toEqual(['paid']);
  });

  it('a first delivery finding the purchase fulfilled already (the success page) reads Stripe once, writes no purchase', async () => {
    const email = `confirmed-first.${tag()}@example.com`;
    await shop.local('webhooks/hold');
    const { sessionId } = await guestCheckout(shop, 'wallpapers-warm', email);
    expect(await (await shop.post('/api/checkout/confirm', { sessionId })).json()).toEqual({ status: 'paid' });
    expect(receiptsTo(email)).toHaveLength(1);
    const event = await completedEvent(sessionId);
    const calls = await callsDuring(async () => {
      await shop.local('webhooks/release');
      await shop.stripeLocal.whenDeliveriesIdle();
    });
    // Beside it only the payment's other events arrive, each logged unhandled (a write, no read).
    expect(calls.stripe).toEqual({ [`GET /v1/checkout/sessions/${sessionId}`]: 1 });
    expect(calls.instant['POST /admin/query']).toBe(1);
    expect(await appliedRecord(event.id)).toMatchObject({ sessionId, purchaseStatus: 'paid' });
    expect(receiptsTo(email)).toHaveLength(1);
  });

  it("an event's own copy never writes over a refund already recorded: Stripe is read, nothing written", async () => {
    const email = `refunded-first.${tag()}@example.com`;
    const { sessionId } = await guestCheckout(shop, 'wallpapers-warm', email);
    await shop.stripeLocal.whenDeliveriesIdle();
    await shop.stripe.refunds.create({ payment_intent: (await paymentIntentOf(shop, sessionId)).pi });
    await shop.stripeLocal.whenDeliveriesIdle();
    expect(await purchaseOf(shop, sessionId)).toMatchObject({ status: 'refunded' });
    const event = await completedEvent(sessionId);
    await prune(Date.now() + WEBHOOK_LOG_TTL_MS + 60_000); // the completed event is unapplied again
    // Its copy says paid, the purchase refunded: the session is read, and agrees with what is stored.
    const calls = await callsDuring(() => redeliver(event.id));
    expect(calls.stripe).toEqual({ [`GET /v1/checkout/sessions/${sessionId}`]: 1 });
    expect(calls.instant).toEqual({ 'POST /admin/query': 1, 'POST /admin/transact': 1 });
    expect(await purchaseOf(shop, sessionId)).toMatchObject({ status: 'refunded' });
    expect(await appliedRecord(event.id)).toMatchObject({ sessionId, purchaseStatus: 'refunded' });
  });

  it("still re-runs an applied event on an operator's replay", async () => {
    const email = `replayed.${tag()}@example.com`;
    const { sessionId } = await guestCheckout(shop, 'wallpapers-warm', email);
    await shop.stripeLocal.whenDeliveriesIdle();
    const event = await completedEvent(sessionId);
    expect(await appliedRecord(event.id)).toBeDefined();

    const calls = await callsDuring(async () => {
      expect(await ops(shop, operator, 'replay', { eventId: event.id })).toMatchObject({
        handled: true,
        sessionId,
        status: 'paid',
      });
    });
    // The event itself (never a stored copy), then the fulfilment loop's read and re-read.
    expect(calls.stripe[`GET /v1/events/${event.id}`]).toBe(1);
    expect(calls.stripe[`GET /v1/checkout/sessions/${sessionId}`]).toBe(2);
    expect((await logOf(event.id)).at(-1)).toMatchObject({
      source: 'replay',
      outcome: 'fulfilled',
      purchaseStatus: 'paid',
    });
    expect(receiptsTo(email)).toHaveLength(1);
  });
});
