// From a Stripe event to the one fulfillment path (fulfill-checkout.ts): the webhook, replays
// and reconcile all use this, so an event is handled the same way however it arrives.
//
// Once everything an event causes is done (the purchase converged, its entitlements applied, its
// receipt sent), a create-only `appliedEvents` record (id derived from the event id) says so,
// and a later delivery of the same event is answered from it: one Instant read, no Stripe call.
// The record is created after the work, never in the same transaction as any of it: webhook-log.ts
// writes it with the delivery's log entry (one round trip), and alone writes the entry again if
// a concurrent delivery created the record first, so a duplicate's claim loses nothing. An
// operator's replay skips the record and runs the event again.
//
// The same read brings a checkout event's purchase and receipt as stored, and a fresh event's own
// copy of its session stands in for the first Stripe read (stripe-view.ts): a first delivery reads
// Stripe once (the re-read after its write), and a duplicate arriving while the first copy is
// still at work finds the purchase written already: one Stripe read agrees, and it writes nothing.
import type Stripe from 'stripe';
import { derivedId } from '../platform/derived-id.ts';
import { adminDb } from '../platform/instant-admin.ts';
import { getStripe } from '../platform/stripe-client.ts';
import { idOf } from '../platform/stripe-ids.ts';
import { needsResend, resendReceipt } from '../receipts/send-again.ts';
import { receiptIdFor, type StoredReceipt } from '../receipts/send-receipt.ts';
import { fulfillCheckout, type FulfillHints, type FulfillResult } from './fulfill-checkout.ts';
import { isHandledStripeEvent } from './handled-events.ts';
import { purchaseIdFor } from './purchase-ids.ts';
import type { PurchaseStatus } from './purchase-status.ts';
import { viewFromEvent } from './stripe-view.ts';

/** The applied-event record to create once the delivery is logged (webhook-log.ts writes both). */
export type AppliedClaim = {
  id: string;
  record: { eventId: string; type: string; appliedAt: number; sessionId?: string; purchaseStatus?: string };
};

export type EventOutcome =
  | { handled: false }
  | {
      handled: true;
      sessionId: string | null;
      status: PurchaseStatus | null;
      alreadyApplied?: boolean;
      claim?: AppliedClaim;
    };

type EventObject = {
  object: string;
  id: string;
  payment_intent?: string | { id: string } | null;
  charge?: string | { id: string };
};

/** The Checkout Session an event is about: directly, or through the charge's payment intent. */
export async function sessionOfEvent(event: Stripe.Event): Promise<string | null> {
  const obj = event.data.object as EventObject;
  if (obj.object === 'checkout.session') return obj.id;
  let intentId = idOf(obj.payment_intent);
  const chargeId = idOf(obj.charge);
  if (!intentId && chargeId) intentId = idOf((await getStripe().charges.retrieve(chargeId)).payment_intent);
  return intentId ? sessionIdForPaymentIntent(intentId) : null;
}

/** The Checkout Session behind a payment intent (refund and dispute events carry only the charge). */
async function sessionIdForPaymentIntent(paymentIntentId: string): Promise<string | null> {
  const { data } = await getStripe().checkout.sessions.list({ payment_intent: paymentIntentId, limit: 1 });
  return data[0]?.id ?? null;
}

export const appliedEventId = (eventId: string) => derivedId('applied-event', eventId);

/** `replay`: an operator's re-run, which runs the event whether or not it was applied before. */
export async function processStripeEvent(event: Stripe.Event, { replay = false } = {}): Promise<EventOutcome> {
  if (!isHandledStripeEvent(event.type)) return { handled: false };
  const known = replay ? null : await knownState(event);
  if (known?.applied)
    return {
      handled: true,
      sessionId: known.applied.sessionId ?? null,
      status: (known.applied.purchaseStatus as PurchaseStatus) ?? null,
      alreadyApplied: true,
    };
  const sessionId = await sessionOfEvent(event);
  // A replay reads everything afresh.
  const hints: FulfillHints = known?.stored ? { firstView: viewFromEvent(event), stored: known.stored } : {};
  const outcome = sessionId ? await fulfillCheckout(sessionId, hints) : null;
  const done = !outcome || (outcome.converged && (await receiptDone(sessionId!, outcome, event.id, known?.stored)));
  const status = outcome?.status ?? null;
  return { handled: true, sessionId, status, ...(done ? { claim: appliedClaim(event, sessionId, status) } : {}) };
}

/** One read: the event's applied-event record and, for a session's own events, its purchase and receipt. */
async function knownState(event: Stripe.Event) {
  const db = adminDb();
  const applied = { appliedEvents: { $: { where: { id: appliedEventId(event.id) } } } };
  const obj = event.data.object as EventObject;
  if (obj.object !== 'checkout.session') return { applied: (await db.query(applied)).appliedEvents[0] ?? null };
  const { appliedEvents, purchases, receipts } = await db.query({
    ...applied,
    purchases: { $: { where: { id: purchaseIdFor(obj.id) } } },
    receipts: { $: { where: { id: receiptIdFor(obj.id) } } },
  });
  return {
    applied: appliedEvents[0] ?? null,
    stored: { purchase: purchases[0] ?? null, receipt: receipts[0] ?? null },
  };
}

/**
 * Whether the receipt this fulfillment owes has been sent. One that failed (or whose send never
 * finished) is re-sent here through send-again.ts's claims, so a redelivery of the event completes it.
 * `stored`: the receipt as read with the event (process-event's one read), when there was one.
 */
async function receiptDone(
  sessionId: string,
  outcome: FulfillResult,
  eventId: string,
  stored?: { receipt: StoredReceipt | null },
): Promise<boolean> {
  if (outcome.receipt === 'none' || outcome.receipt === 'sent') return true;
  if (outcome.receipt === 'failed') return false;
  // The delivery's first read answers when it saw the claim (if sent since, the next delivery marks the event).
  const receipt =
    stored?.receipt ??
    (await adminDb().query({ receipts: { $: { where: { id: receiptIdFor(sessionId) } } } })).receipts[0];
  if (!receipt || receipt.status === 'sent') return Boolean(receipt);
  if (!needsResend(receipt)) return false; // another delivery is sending it and marks the event when done
  return (await resendReceipt(sessionId, `webhook:${eventId}`)).result === 'sent';
}

function appliedClaim(event: Stripe.Event, sessionId: string | null, status: PurchaseStatus | null): AppliedClaim {
  const record = {
    eventId: event.id,
    type: event.type,
    appliedAt: Date.now(),
    ...(sessionId ? { sessionId } : {}),
    ...(status ? { purchaseStatus: status } : {}),
  };
  return { id: appliedEventId(event.id), record };
}
