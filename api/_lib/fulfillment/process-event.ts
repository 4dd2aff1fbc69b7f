// From a Stripe event to the one fulfilment path: the webhook, replays and reconcile all use
// this, so an event is handled the same way however it arrives.
import type Stripe from 'stripe';
import { fulfillCheckout, sessionIdForPaymentIntent } from './fulfill-checkout.ts';
import type { PurchaseStatus } from './purchase-status.ts';
import { getStripe } from '../platform/stripe-client.ts';
import { isHandledStripeEvent } from './handled-events.ts';

export type EventOutcome = { handled: false } | { handled: true; sessionId: string | null; status: PurchaseStatus | null };

/** The Checkout Session an event is about: directly, or through the charge's payment intent. */
export async function sessionOfEvent(event: Stripe.Event): Promise<string | null> {
  const obj = event.data.object as { object: string; id: string; payment_intent?: string | { id: string } | null; charge?: string | { id: string } };
  if (obj.object === 'checkout.session') return obj.id;
  let pi = obj.payment_intent;
  if (!pi && obj.charge) {
    const chargeId = typeof obj.charge === 'string' ? obj.charge : obj.charge.id;
    pi = (await getStripe().charges.retrieve(chargeId)).payment_intent;
  }
  const piId = typeof pi === 'string' ? pi : pi?.id;
  return piId ? sessionIdForPaymentIntent(piId) : null;
}

export async function processStripeEvent(event: Stripe.Event): Promise<EventOutcome> {
  if (!isHandledStripeEvent(event.type)) return { handled: false };
  const sessionId = await sessionOfEvent(event);
  const outcome = sessionId ? await fulfillCheckout(sessionId) : null;
  return { handled: true, sessionId, status: outcome?.status ?? null };
}
