// The one fulfillment path. The webhook (for every checkout and charge event), the success
// page's confirm call, operator replays and reconcile all end here, whichever comes first, any
// number of times, on any number of machines at once. It reads Stripe (stripe-view.ts), derives
// the purchase's state from that view (purchase-status.ts), and writes the one purchase whose id
// is derived from the session id. Side effects that must happen once (the receipt, credits) are
// create-only writes or unique refs. Other files point here rather than repeat this.
import type { Product } from '../../../catalog/products.ts';
import { orClear } from '../platform/clear-attribute.ts';
import { adminDb } from '../platform/instant-admin.ts';
import { normalizeEmail } from '../platform/normalize-email.ts';
import { idOf } from '../platform/stripe-ids.ts';
import { sendReceiptOnce } from '../receipts/send-receipt.ts';
import { applyEntitlements } from './entitlements.ts';
import { identifyBuyer, type Buyer } from './identify-buyer.ts';
import { derivedFields } from './derived-fields.ts';
import { purchaseIdFor, wallpaperIdFor } from './purchase-ids.ts';
import { NEVER_PAID, purchaseStatus, WAS_PAID, type PurchaseStatus } from './purchase-status.ts';
import { resolvePurchaseType } from './resolve-purchase-type.ts';
import { readStripeView, type StripeView } from './stripe-view.ts';

export type FulfillResult = {
  purchaseId: string;
  status: PurchaseStatus;
  token: string | null;
  /** False when the loop stopped after its last round with Stripe still moving (a later event converges it). */
  converged: boolean;
  /** The receipt this call owed: sent by it, failed, or claimed by another writer; `none` when none is owed. */
  receipt: 'sent' | 'failed' | 'already-handled' | 'none';
};

const LAST_ROUND = 3;

export async function fulfillCheckout(sessionId: string): Promise<FulfillResult> {
  // Write, then re-read: a writer holding a stale view (say, "paid" read just before a refund)
  // sees the newer state on the re-read and writes again, so concurrent writers converge.
  // Stripe is read before anything is written: an event's own copy of the session may be days old.
  let view = await readStripeView(sessionId);
  const buyers = new Map<string, Promise<Buyer>>(); // who the buyer is does not change between rounds
  for (let round = 0; ; round++) {
    const written = await writePurchase(view, buyers);
    const again = await readStripeView(sessionId, view);
    const converged = purchaseStatus(again) === written.status;
    if (converged || round === LAST_ROUND) {
      // Credits and the plan (idempotent, derived from Stripe's current objects: entitlements.ts)
      // and the receipt are independent of each other, so they go out together.
      const owesReceipt = WAS_PAID.has(written.status) && written.email;
      const { amount_total, currency } = view.session;
      // Both are awaited even when one fails, so nothing is left running after a 500.
      const [entitled, sent] = await Promise.allSettled([
        applyEntitlements(again, written),
        owesReceipt
          ? sendReceiptOnce({
              sessionId,
              purchaseId: written.purchaseId,
              email: written.email!,
              product: written.product,
              amount: amount_total,
              currency,
            })
          : ('none' as const),
      ]);
      if (entitled.status === 'rejected') throw entitled.reason;
      if (sent.status === 'rejected') throw sent.reason;
      const receipt = sent.value;
      return { purchaseId: written.purchaseId, status: written.status, token: written.token, converged, receipt };
    }
    view = again;
  }
}

/** Writes the purchase that `view` implies (exported so tests can play a writer holding a stale view). */
export async function writePurchase(view: StripeView, buyers = new Map<string, Promise<Buyer>>()) {
  const { session } = view;
  const db = adminDb();
  const status = purchaseStatus(view);
  const purchaseId = purchaseIdFor(session.id);
  const resolution = resolvePurchaseType(session);
  const product: Product | null = resolution.product;
  const email = normalizeEmail(session.customer_details?.email ?? session.customer_email);
  const buyerKey = `${email}|${product?.id}|${session.client_reference_id}|${session.metadata?.token}|${session.metadata?.userId}`;
  if (!buyers.has(buyerKey)) buyers.set(buyerKey, identifyBuyer(session, product, email));
  const { token, userId } = await buyers.get(buyerKey)!;
  const grants = status === 'paid';
  // Only a paid session of unknown type needs fixing; a pending or expired one just sits there.
  const unresolved = !resolution.product && WAS_PAID.has(status) ? resolution.reason : null;
  const { pendingKind, ...figures } = derivedFields(view, status);

  const steps = [
    db.tx.purchases[purchaseId].update({
      sessionId: session.id,
      token,
      unlockToken: orClear(grants && !unresolved ? token : null),
      status,
      email: orClear(email),
      productId: orClear(product?.id),
      purchaseType: orClear(product?.id),
      amount: session.amount_total ?? 0,
      currency: session.currency ?? 'usd',
      paymentIntentId: orClear(idOf(session.payment_intent)),
      unfulfilledReason: orClear(unresolved),
      ...figures,
      pendingKind: orClear(pendingKind),
      createdAt: session.created * 1000,
      updatedAt: Date.now(),
    }),
  ];
  if (userId) steps.push(db.tx.purchases[purchaseId].link({ owner: userId }));
  if (product?.kind === 'wallpaper-pack') {
    // What it buys is linked only once paid, so an unpaid checkout adds nothing to what anyone can
    // query through a wallpaper. Paid is for good (WAS_PAID), so a writer seeing it is never wrong
    // to link; only a session that can never be paid is unlinked here (a writer seeing `pending`
    // may be stale and leaves the links alone). Older pending links: unlinkThenFulfill.
    const wallpapers = product.wallpapers.map(wallpaperIdFor);
    if (WAS_PAID.has(status)) steps.push(db.tx.purchases[purchaseId].link({ wallpapers }));
    else if (NEVER_PAID.has(status)) steps.push(db.tx.purchases[purchaseId].unlink({ wallpapers }));
  }
  await db.transact(steps);
  return { purchaseId, status, token, email, product, userId };
}

/**
 * Unlinks a purchase from the wallpapers an older version linked before payment, whatever the
 * status read so far, then fulfills. Unlink, then re-read: fulfillment reads Stripe after the
 * unlink and links again if the session is paid by then, and a payment later than that read is
 * fulfilled (and linked) by its own webhook, so an unlink racing a payment still ends linked,
 * and an unpaid purchase ends unlinked. No check before the unlink, no lock.
 */
export async function unlinkThenFulfill(sessionId: string, wallpaperIds: string[]): Promise<FulfillResult> {
  const db = adminDb();
  if (wallpaperIds.length)
    await db.transact(db.tx.purchases[purchaseIdFor(sessionId)].unlink({ wallpapers: wallpaperIds }));
  return fulfillCheckout(sessionId);
}
