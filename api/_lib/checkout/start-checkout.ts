// Every Checkout Session the api/ makes, guest or signed in, is made here: the buyer's token and
// (signed in) user ride in the session's and the payment's metadata, the success page gets the
// session id, and the purchase is recorded as pending, create-only, so a webhook that got there
// first is never overwritten.
import { derivedFields } from '../fulfillment/derived-fields.ts';
import type Stripe from 'stripe';
import type { Product } from '../../../catalog/products.ts';
import { appUrl } from '../platform/app-url.ts';
import { purchaseIdFor } from '../fulfillment/purchase-ids.ts';
import { json } from '../platform/http.ts';
import { adminDb, isAlreadyRecorded } from '../platform/instant-admin.ts';
import { lineItemFor } from './line-item.ts';
import { getStripe } from '../platform/stripe-client.ts';
import { customerFor } from './stripe-customer.ts';
import type { VerifiedUser } from '../platform/verify-user.ts';

export type CheckoutRequest = {
  product: Product;
  /** The buyer's purchase token (a guest's was made and saved by the browser first). */
  token: string;
  /** The signed-in buyer; their Stripe customer is used (and made once). */
  user?: VerifiedUser;
  /** Where Checkout's cancel link returns to. */
  cancelPath: string;
  /** Extra metadata pinned on the session (e.g. the credits a pack was sold with). */
  metadata?: Record<string, string>;
};

export async function startCheckout(req: Request, c: CheckoutRequest): Promise<Response> {
  const base = appUrl(req);
  const metadata: Record<string, string> = {
    token: c.token,
    productId: c.product.id,
    type: c.product.id,
    ...(c.user ? { userId: c.user.id } : {}),
    ...c.metadata,
  };
  const params: Stripe.Checkout.SessionCreateParams = {
    mode: 'payment',
    line_items: [await lineItemFor(c.product)],
    metadata,
    payment_intent_data: { metadata },
    success_url: `${base}/success?session_id={CHECKOUT_SESSION_ID}`,
    cancel_url: `${base}${c.cancelPath}`,
    ...(c.user ? { customer: await customerFor(c.user) } : { customer_creation: 'if_required' as const }),
    ...(process.env.ALLOW_PROMOTION_CODES === 'true' ? { allow_promotion_codes: true } : {}),
  };
  const session = await getStripe().checkout.sessions.create(params);

  const db = adminDb();
  const purchaseId = purchaseIdFor(session.id);
  const pending = db.tx.purchases[purchaseId].create({
    sessionId: session.id,
    token: c.token,
    status: 'pending',
    ...(c.user?.email ? { email: c.user.email } : {}),
    productId: c.product.id,
    purchaseType: c.product.id,
    amount: session.amount_total ?? 0,
    currency: session.currency ?? 'usd',
    // An open checkout: nothing refunded or disputed yet (the same decision fulfilment writes).
    ...derivedFields({ session, charge: null, disputes: [] }, 'pending'),
    createdAt: session.created * 1000,
    updatedAt: Date.now(),
  });
  try {
    await db.transact(c.user ? pending.link({ owner: c.user.id }) : pending);
  } catch (e) {
    if (!isAlreadyRecorded(e)) throw e;
    if (c.user) await db.transact(db.tx.purchases[purchaseId].link({ owner: c.user.id }));
  }
  return json({ url: session.url });
}
