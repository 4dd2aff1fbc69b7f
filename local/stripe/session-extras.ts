// What the stand-in keeps about a Checkout Session beside the object (line items, pending
// payments) and the amounts derived from its line items; shared by the API routes and the checkout flow.
import type Stripe from 'stripe';
import type { LocalAccount } from './account.ts';
import { discountFor } from './resources/coupons.ts';

/** Facts about a session that Stripe keeps but does not put on the object. */
export interface SessionExtras extends Record<string, unknown> {
  lineItems: Stripe.LineItem[];
  paymentIntentData: { metadata: Record<string, string>; description?: string; receipt_email?: string };
  prefilledEmail?: string;
  /** A 3-D Secure challenge waiting for the buyer's answer. */
  pendingAuthentication?: { paymentMethod: string; email: string; name: string | null };
  /** A delayed payment waiting for its result. */
  pendingSettlement?: boolean;
  settleOutcome?: 'succeeded' | 'failed';
  refundFails?: boolean;
  dispute?: boolean;
}

export function sessionExtras(account: LocalAccount, id: string): SessionExtras {
  return account.store.extra<SessionExtras>(id);
}

/** Recomputes line item and session amounts, spreading a discount over the items. */
export function recomputeAmounts(
  account: LocalAccount,
  session: Stripe.Checkout.Session,
  coupon: Stripe.Coupon | null,
): void {
  const items = sessionExtras(account, session.id).lineItems;
  const subtotal = items.reduce((sum, li) => sum + li.amount_subtotal, 0);
  const currency = session.currency ?? 'usd';
  const discount = coupon ? discountFor(coupon, subtotal, currency) : 0;
  let left = discount;
  items.forEach((li, i) => {
    const share =
      i === items.length - 1 ? left : subtotal === 0 ? 0 : Math.round((discount * li.amount_subtotal) / subtotal);
    li.amount_discount = share;
    li.amount_total = li.amount_subtotal - share;
    left -= share;
  });
  session.amount_subtotal = subtotal;
  session.amount_total = subtotal - discount;
  session.total_details = { amount_discount: discount, amount_shipping: 0, amount_tax: 0 };
}
