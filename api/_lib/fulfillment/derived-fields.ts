// Figures the operator overview needs that a purchase's status does not say, decided from the same
// Stripe view as the status (stripe-view.ts) and written beside it at fulfilment, so the overview
// reads them from Instant instead of asking Stripe per page load. A partial refund leaves the
// status `paid`; only `refundedAmount` tells.
import type Stripe from 'stripe';
import { SETTLED_FOR_SELLER, type PurchaseStatus } from './purchase-status.ts';

/** Why an unpaid purchase is still pending: a delayed payment method settling, or a checkout left open. */
export type PendingKind = 'async-payment' | 'open-checkout';

export type DerivedFields = {
  /** Minor units refunded of the charge (partial refunds included). */
  refundedAmount: number;
  /** Minor units taken by disputes that are open or lost (a won dispute gives the money back). */
  disputedAmount: number;
  /** Disputes still waiting for a response or a decision. */
  openDisputes: number;
  /** Only for `pending`. */
  pendingKind: PendingKind | null;
};

export type DerivedInputs = {
  session: Pick<Stripe.Checkout.Session, 'status'>;
  charge: Pick<Stripe.Charge, 'amount_refunded'> | null;
  disputes: Pick<Stripe.Dispute, 'amount' | 'status'>[];
};

/** Dispute statuses before Stripe's decision. */
const OPEN_DISPUTE: ReadonlySet<string> = new Set([
  'needs_response',
  'under_review',
  'warning_needs_response',
  'warning_under_review',
]);

export function derivedFields({ session, charge, disputes }: DerivedInputs, status: PurchaseStatus): DerivedFields {
  const taking = disputes.filter((d) => !SETTLED_FOR_SELLER.has(d.status));
  return {
    refundedAmount: charge?.amount_refunded ?? 0,
    disputedAmount: taking.reduce((sum, d) => sum + d.amount, 0),
    openDisputes: disputes.filter((d) => OPEN_DISPUTE.has(d.status)).length,
    // A complete but unpaid session is a delayed payment method still processing (purchase-status.ts).
    pendingKind: status !== 'pending' ? null : session.status === 'complete' ? 'async-payment' : 'open-checkout',
  };
}
