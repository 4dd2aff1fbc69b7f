// The one fulfilment path. The webhook (for every checkout and charge event) and the success
// page's confirm call both end here, whichever comes first, any number of times, on any number
// of machines at once. It re-reads the session from Stripe, derives the purchase's state from
// Stripe's objects (purchase-status.ts), and writes the one purchase whose id is derived from
// the session id. Side effects that must happen once (the receipt) are create-only writes.
import type Stripe from 'stripe';
import type { Product } from '../../../catalog/products.ts';
import { derivedId } from '../platform/derived-id.ts';
import { applyEntitlements } from './entitlements.ts';
import { identifyBuyer } from './identify-buyer.ts';
import { normalizeEmail } from '../platform/normalize-email.ts';
import { adminDb } from '../platform/instant-admin.ts';
import { NEVER_PAID, purchaseStatus, WAS_PAID, type PurchaseStatus } from './purchase-status.ts';
import { resolvePurchaseType } from './resolve-purchase-type.ts';
import { sendReceiptOnce } from '../receipts/send-receipt.ts';
import { getStripe } from '../platform/stripe-client.ts';

export type FulfilResult = { purchaseId: string; status: PurchaseStatus; token: string | null };

export const purchaseIdFor = (sessionId: string) => derivedId('purchase', sessionId);
export const wallpaperIdFor = (slug: string) => derivedId('wallpaper', slug);

export type StripeView = { session: Stripe.Checkout.Session; disputes: Stripe.Dispute[] };

export async function readStripe(sessionId: string): Promise<StripeView> {
  const stripe = getStripe();
  const session = await stripe.checkout.sessions.retrieve(sessionId, {
    expand: ['line_items.data.price.product', 'payment_intent.latest_charge'],
  });
  const intent = typeof session.payment_intent === 'object' ? session.payment_intent : null;
  const charge = intent && typeof intent.latest_charge === 'object' ? intent.latest_charge : null;
  // Only a disputed charge has disputes to read (their status decides whether access returns).
  const disputes = intent && charge?.disputed ? (await stripe.disputes.list({ payment_intent: intent.id, limit: 100 })).data : [];
  return { session, disputes };
}

export async function fulfillCheckout(sessionId: string): Promise<FulfilResult> {
  // Write, then re-read: a writer holding a stale view (say, "paid" read just before a refund)
  // sees the newer state on the re-read and writes again, so concurrent writers converge.
  let view = await readStripe(sessionId);
  for (let round = 0; ; round++) {
    const result = await writePurchase(view);
    const again = await readStripe(sessionId);
    if (purchaseStatus(again.session, again.disputes) === result.status || round === 3) {
      // Credits and the like: idempotent and derived from Stripe's current objects (entitlements.ts).
      await applyEntitlements({ session: view.session, status: result.status, product: result.product, purchaseId: result.purchaseId, userId: result.userId });
      if (WAS_PAID.has(result.status) && result.email) {
        const { amount_total, currency } = view.session;
        await sendReceiptOnce({ sessionId, purchaseId: result.purchaseId, email: result.email, product: result.product, amount: amount_total, currency });
      }
      return { purchaseId: result.purchaseId, status: result.status, token: result.token };
    }
    view = again;
  }
}

/** Writes the purchase that `view` implies (exported so tests can play a writer holding a stale view). */
export async function writePurchase({ session, disputes }: StripeView) {
  const db = adminDb();
  const status = purchaseStatus(session, disputes);
  const purchaseId = purchaseIdFor(session.id);
  const resolution = resolvePurchaseType(session);
  const product: Product | null = resolution.product;
  const email = normalizeEmail(session.customer_details?.email ?? session.customer_email);
  const { token, userId } = await identifyBuyer(session, product, email);
  const pi = session.payment_intent;
  const grants = status === 'paid';
  // Only a paid session of unknown type needs fixing; a pending or expired one just sits there.
  const unresolved = !resolution.product && WAS_PAID.has(status) ? resolution.reason : null;

  const steps = [
    db.tx.purchases[purchaseId].update({
      sessionId: session.id,
      token,
      unlockToken: grants && !unresolved ? token : (null as unknown as string),
      status,
      email: email ?? (null as unknown as string),
      productId: product?.id ?? (null as unknown as string),
      purchaseType: product?.id ?? (null as unknown as string),
      amount: session.amount_total ?? 0,
      currency: session.currency ?? 'usd',
      paymentIntentId: (typeof pi === 'string' ? pi : pi?.id) ?? (null as unknown as string),
      unfulfilledReason: unresolved ?? (null as unknown as string),
      createdAt: session.created * 1000,
      updatedAt: Date.now(),
    }),
  ];
  if (userId) steps.push(db.tx.purchases[purchaseId].link({ owner: userId }));
  if (product?.kind === 'wallpaper-pack') {
    // What it buys is linked only once paid, so an unpaid checkout adds nothing to what anyone can
    // query through a wallpaper. Paid is for good (WAS_PAID), so a writer seeing it is never wrong
    // to link; only a session that can never be paid is unlinked (a writer seeing `pending` may be
    // stale and leaves the links alone), so no stale writer ever unlinks a paid purchase.
    const wallpapers = product.wallpapers.map(wallpaperIdFor);
    if (WAS_PAID.has(status)) steps.push(db.tx.purchases[purchaseId].link({ wallpapers }));
    else if (NEVER_PAID.has(status)) steps.push(db.tx.purchases[purchaseId].unlink({ wallpapers }));
  }
  await db.transact(steps);
  return { purchaseId, status, token, email, product, userId };
}

/** The Checkout Session behind a payment intent (refund and dispute events carry only the charge). */
export async function sessionIdForPaymentIntent(paymentIntentId: string): Promise<string | null> {
  const { data } = await getStripe().checkout.sessions.list({ payment_intent: paymentIntentId, limit: 1 });
  return data[0]?.id ?? null;
}
