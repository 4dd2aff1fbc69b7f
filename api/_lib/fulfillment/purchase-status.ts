// The purchase state machine. A purchase's status is never accumulated from events: it is read
// off Stripe's current objects every time, so events in any order (and any number of times)
// converge on the same state.
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

/** Disputes that no longer take the money away. */
const SETTLED_FOR_SELLER = new Set(['won', 'warning_closed']);

export function purchaseStatus(session: Stripe.Checkout.Session, disputes: Stripe.Dispute[] = []): PurchaseStatus {
  if (session.status === 'expired') return 'expired';
  if (session.status !== 'complete') return 'pending';
  const pi = typeof session.payment_intent === 'object' ? session.payment_intent : null;
  if (session.payment_status === 'unpaid') {
    // A delayed payment method: processing until it settles; failed when the intent wants a new method.
    return pi && (pi.status === 'requires_payment_method' || pi.status === 'canceled') ? 'failed' : 'pending';
  }
  const charge = pi && typeof pi.latest_charge === 'object' ? pi.latest_charge : null;
  if (disputes.some((d) => !SETTLED_FOR_SELLER.has(d.status))) return 'disputed';
  if (charge?.refunded) return 'refunded'; // fully refunded; partial refunds keep access
  return 'paid';
}
