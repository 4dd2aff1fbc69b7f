// The purchase state machine. A purchase's status is never accumulated from events: it is read
// off Stripe's current objects every time (stripe-view.ts), so events in any order (and any
// number of times) converge on the same state.
//
//   pending ──paid──► paid ──full refund──► refunded ──refund failed──► paid
//      │                │  ──dispute opened─► disputed ──dispute won──► paid
//      ├─async failed─► failed                                (lost: stays disputed)
//      └─expired─────► expired
import type Stripe from 'stripe';

export type PurchaseStatus = 'pending' | 'paid' | 'failed' | 'expired' | 'refunded' | 'disputed';

/** Statuses that mean the buyer paid at some point (a receipt is owed). */
export const WAS_PAID: ReadonlySet<PurchaseStatus> = new Set(['paid', 'refunded', 'disputed']);

/** Final statuses of a session that was never paid: it can never be paid from here (Stripe ends it). */
export const NEVER_PAID: ReadonlySet<PurchaseStatus> = new Set(['expired', 'failed']);

/** Dispute statuses that no longer take the money away. */
export const SETTLED_FOR_SELLER: ReadonlySet<string> = new Set(['won', 'warning_closed']);

/** The parts of a Stripe view (stripe-view.ts) that decide the status. */
export type StatusInputs = {
  session: Pick<Stripe.Checkout.Session, 'status' | 'payment_status'>;
  intent: Pick<Stripe.PaymentIntent, 'status'> | null;
  charge: Pick<Stripe.Charge, 'refunded'> | null;
  disputes: Pick<Stripe.Dispute, 'status'>[];
};

export function purchaseStatus({ session, intent, charge, disputes }: StatusInputs): PurchaseStatus {
  if (session.status === 'expired') return 'expired';
  if (session.status !== 'complete') return 'pending';
  if (session.payment_status === 'unpaid') {
    // A delayed payment method: processing until it settles; failed when the intent wants a new method.
    return intent?.status === 'requires_payment_method' || intent?.status === 'canceled' ? 'failed' : 'pending';
  }
  if (disputes.some((d) => !SETTLED_FOR_SELLER.has(d.status))) return 'disputed';
  if (charge?.refunded) return 'refunded'; // fully refunded; partial refunds keep access
  return 'paid';
}
