// From a Stripe event to the one fulfillment path (fulfill-checkout.ts): the webhook, replays
// and reconcile all use this, so an event is handled the same way however it arrives.
import type Stripe from 'stripe';
import { getStripe } from '../platform/stripe-client.ts';
import { idOf } from '../platform/stripe-ids.ts';
import { fulfillCheckout } from './fulfill-checkout.ts';
import { isHandledStripeEvent } from './handled-events.ts';
import type { PurchaseStatus } from './purchase-status.ts';

export type EventOutcome = { handled: false } | { handled: true; sessionId: string | null; status: PurchaseStatus | null };

type EventObject = { object: string; id: string; payment_intent?: string | { id: string } | null; charge?: string | { id: string } };

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

export async function processStripeEvent(event: Stripe.Event): Promise<EventOutcome> {
  if (!isHandledStripeEvent(event.type)) return { handled: false };
  const sessionId = await sessionOfEvent(event);
  const outcome = sessionId ? await fulfillCheckout(sessionId) : null;
  return { handled: true, sessionId, status: outcome?.status ?? null };
}
