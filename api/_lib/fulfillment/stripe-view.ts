// Everything a fulfillment decision needs from Stripe, read in one place once per round of the
// fulfillment loop (fulfill-checkout.ts). The purchase's status, its credit entries and the
// buyer's plan are pure functions of this view (purchase-status.ts, credit-entries.ts).
import type Stripe from 'stripe';
import { expanded } from '../platform/stripe-ids.ts';
import { getStripe } from '../platform/stripe-client.ts';
import { resolvePurchaseType } from './resolve-purchase-type.ts';

export type StripeView = {
  session: Stripe.Checkout.Session;
  intent: Stripe.PaymentIntent | null;
  /** The intent's latest charge: whether it was fully refunded or disputed, and its amount. */
  charge: Stripe.Charge | null;
  /** Oldest first. Read for credit packs only: only their ledger takes back a share per refund. */
  refunds: Stripe.Refund[];
  /** Read for a disputed charge only (their status decides whether access returns). */
  disputes: Stripe.Dispute[];
};

const ALL = { limit: 10_000 };

export async function readStripeView(sessionId: string): Promise<StripeView> {
  const stripe = getStripe();
  const session = await stripe.checkout.sessions.retrieve(sessionId, {
    expand: ['line_items.data.price.product', 'payment_intent.latest_charge'],
  });
  const intent = expanded(session.payment_intent);
  const charge = expanded(intent?.latest_charge);
  if (!intent || !charge) return { session, intent, charge, refunds: [], disputes: [] };
  const byIntent = { payment_intent: intent.id, limit: 100 };
  const forCredits = resolvePurchaseType(session).product?.kind === 'credits';
  const [refunds, disputes] = await Promise.all([
    forCredits ? stripe.refunds.list(byIntent).autoPagingToArray(ALL) : [],
    charge.disputed ? stripe.disputes.list(byIntent).autoPagingToArray(ALL) : [],
  ]);
  // Stripe lists newest first.
  return { session, intent, charge, refunds: refunds.reverse(), disputes };
}
