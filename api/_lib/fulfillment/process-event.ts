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
import type Stripe from 'stripe';
import { derivedId } from '../platform/derived-id.ts';
import { adminDb } from '../platform/instant-admin.ts';
import { getStripe } from '../platform/stripe-client.ts';
import { idOf } from '../platform/stripe-ids.ts';
import { needsResend, resendReceipt } from '../receipts/send-again.ts';
import { fulfillCheckout, type FulfillResult } from './fulfill-checkout.ts';
import { isHandledStripeEvent } from './handled-events.ts';
import type { PurchaseStatus } from './purchase-status.ts';

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
  if (!replay) {
    const applied = await appliedRecord(event.id);
    if (applied)
      return {
        handled: true,
        sessionId: applied.sessionId ?? null,
        status: (applied.purchaseStatus as PurchaseStatus) ?? null,
        alreadyApplied: true,
      };
  }
  const sessionId = await sessionOfEvent(event);
  const outcome = sessionId ? await fulfillCheckout(sessionId) : null;
  const done = !outcome || (outcome.converged && (await receiptDone(sessionId!, outcome, event.id)));
  const status = outcome?.status ?? null;
  return { handled: true, sessionId, status, ...(done ? { claim: appliedClaim(event, sessionId, status) } : {}) };
}

async function appliedRecord(eventId: string) {
  const { appliedEvents } = await adminDb().query({ appliedEvents: { $: { where: { id: appliedEventId(eventId) } } } });
  return appliedEvents[0] ?? null;
}

/**
 * Whether the receipt this fulfillment owes has been sent. One that failed (or whose send never
 * finished) is re-sent here through send-again.ts's claims, so a redelivery of the event completes it.
 */
async function receiptDone(sessionId: string, outcome: FulfillResult, eventId: string): Promise<boolean> {
  if (outcome.receipt === 'none' || outcome.receipt === 'sent') return true;
  if (outcome.receipt === 'failed') return false;
  const { receipts } = await adminDb().query({ receipts: { $: { where: { sessionId } } } });
  const receipt = receipts[0];
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
