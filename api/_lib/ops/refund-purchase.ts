// An operator's refund: made in Stripe only. The purchase is never written here; the refund's
// webhook (charge.refunded) revokes access through the one fulfillment path, exactly as for a
// refund made in Stripe's dashboard.
import { getStripe } from '../platform/stripe-client.ts';
import { HttpError } from '../platform/http.ts';
import { idOf } from '../platform/stripe-ids.ts';

export type RefundInput = { sessionId: string; amount?: number; requestId: string; operator: string };

export async function refundPurchase({ sessionId, amount, requestId, operator }: RefundInput) {
  const stripe = getStripe();
  try {
    const session = await stripe.checkout.sessions.retrieve(sessionId);
    const pi = idOf(session.payment_intent);
    if (!pi) throw new HttpError(409, `${sessionId} has no payment to refund (it is unpaid or was free).`);
    // The request id makes a double click or a retried request one refund, not two.
    const refund = await stripe.refunds.create(
      {
        payment_intent: pi,
        ...(amount ? { amount } : {}),
        reason: 'requested_by_customer',
        metadata: { operator, sessionId },
      },
      { idempotencyKey: `ops-refund/${sessionId}/${requestId}` },
    );
    return {
      refundId: refund.id,
      amount: refund.amount,
      currency: refund.currency,
      status: refund.status,
      paymentIntentId: pi,
    };
  } catch (e) {
    const err = e as { type?: string; code?: string; message?: string; statusCode?: number };
    if (err.code === 'resource_missing') throw new HttpError(404, `No Checkout Session ${sessionId} in Stripe.`);
    // Stripe's own reason (already refunded, amount too large, disputed) is what the operator needs.
    if (err.type === 'StripeInvalidRequestError') throw new HttpError(409, `Stripe refused the refund: ${err.message}`);
    throw e;
  }
}
