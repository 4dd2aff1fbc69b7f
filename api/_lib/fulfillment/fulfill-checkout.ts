// The one fulfillment path. The webhook (for every checkout and charge event), the success
// page's confirm call, operator replays and reconcile all end here, whichever comes first, any
// number of times, on any number of machines at once. It reads Stripe (stripe-view.ts), derives
// the purchase's state from that view (purchase-status.ts), and writes the one purchase whose id
// is derived from the session id. Side effects that must happen once (the receipt, credits) are
// create-only writes or unique refs. Other files point here rather than repeat this.
import type { InstaQLEntity } from '@instantdb/admin';
import type { Product } from '../../../catalog/products.ts';
import type { AppSchema } from '../../../instant.schema.ts';
import { orClear } from '../platform/clear-attribute.ts';
import { adminDb } from '../platform/instant-admin.ts';
import { normalizeEmail } from '../platform/normalize-email.ts';
import { idOf } from '../platform/stripe-ids.ts';
import { sendReceiptOnce, type StoredReceipt } from '../receipts/send-receipt.ts';
import { applyEntitlements } from './entitlements.ts';
import { identifyBuyer, type Buyer } from './identify-buyer.ts';
import { derivedFields } from './derived-fields.ts';
import { purchaseIdFor, wallpaperIdFor } from './purchase-ids.ts';
import { NEVER_PAID, purchaseStatus, WAS_PAID, type PurchaseStatus } from './purchase-status.ts';
import { resolvePurchaseType } from './resolve-purchase-type.ts';
import { readStripeView, type StripeView } from './stripe-view.ts';

export type StoredPurchase = InstaQLEntity<AppSchema, 'purchases'>;

export type FulfillResult = {
  purchaseId: string;
  status: PurchaseStatus;
  token: string | null;
  /** False when the loop stopped after its last round with Stripe still moving (a later event converges it). */
  converged: boolean;
  /** The receipt this call owed: sent by it, failed, or claimed by another writer; `none` when none is owed. */
  receipt: 'sent' | 'failed' | 'already-handled' | 'none';
};

/** What the caller already knows (the webhook reads it with the event's applied-event record: process-event.ts). */
export type FulfillHints = {
  /** Stands in for the first read of Stripe (the event's own copy: stripe-view.ts viewFromEvent). */
  firstView?: StripeView | null;
  /** The purchase and receipt as stored just before (null: none). */
  stored?: { purchase: StoredPurchase | null; receipt: StoredReceipt | null };
};

const LAST_ROUND = 3;

export async function fulfillCheckout(sessionId: string, hints: FulfillHints = {}): Promise<FulfillResult> {
  const buyers = new Map<string, Promise<Buyer>>(); // who the buyer is does not change between rounds
  const stored = hints.stored?.purchase ?? null;
  const receipt = hints.stored?.receipt;
  // Stripe is read before anything is written, or, while the purchase is still pending, an event's
  // copy minutes old stands in (stripe-view.ts): it only ever moves a purchase on from pending,
  // never writes over a refund or a dispute recorded meanwhile.
  const fromEvent = hints.firstView && (!stored || stored.status === 'pending') ? hints.firstView : null;
  let view = fromEvent ?? (await readStripeView(sessionId));
  let purchase = await purchaseFor(view, buyers);
  // Stored as Stripe says already (a concurrent delivery, the success page): a writer that writes
  // nothing leaves nothing stale behind, so there is nothing to re-read either. Only against
  // Stripe's own read: a copy could match a stale write whose writer died before its re-read.
  if (!fromEvent && stored && samePurchase(purchase.record, stored)) return settle(view, purchase, true, receipt);
  // Write, then re-read: a writer holding a stale view (say, "paid" read just before a refund)
  // sees the newer state on the re-read and writes again, so concurrent writers converge.
  for (let round = 0; ; round++) {
    await writeRecord(purchase);
    const again = await readStripeView(sessionId, view);
    const next = await purchaseFor(again, buyers);
    const converged = samePurchase(next.record, purchase.record);
    if (converged || round === LAST_ROUND) return settle(again, purchase, converged, receipt);
    view = again;
    purchase = next;
  }
}

type Purchase = Awaited<ReturnType<typeof purchaseFor>>;

/**
 * Credits and the plan (idempotent, derived from Stripe's current objects: entitlements.ts) and
 * the receipt are independent of each other, so they go out together. `receipt`: the receipt as
 * stored before, when known (a stored one is another writer's claim).
 */
async function settle(
  view: StripeView,
  written: Purchase,
  converged: boolean,
  receipt?: StoredReceipt | null,
): Promise<FulfillResult> {
  const owesReceipt = WAS_PAID.has(written.status) && written.email;
  const { amount_total, currency } = view.session;
  const input = {
    sessionId: view.session.id,
    purchaseId: written.purchaseId,
    email: written.email!,
    product: written.product,
    amount: amount_total,
    currency,
  };
  // Both are awaited even when one fails, so nothing is left running after a 500. A receipt
  // stored before is another writer's claim: nothing to send.
  const [entitled, sent] = await Promise.allSettled([
    applyEntitlements(view, written),
    !owesReceipt ? ('none' as const) : receipt ? ('already-handled' as const) : sendReceiptOnce(input),
  ]);
  if (entitled.status === 'rejected') throw entitled.reason;
  if (sent.status === 'rejected') throw sent.reason;
  const { purchaseId, status, token } = written;
  return { purchaseId, status, token, converged, receipt: sent.value };
}

/** The purchase `view` implies: its stored attributes (`record`) and who and what it is for. */
async function purchaseFor(view: StripeView, buyers: Map<string, Promise<Buyer>>) {
  const { session } = view;
  const status = purchaseStatus(view);
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
  const record = {
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
  };
  return {
    purchaseId: purchaseIdFor(session.id),
    createdAt: session.created * 1000,
    record,
    status,
    token,
    email,
    product,
    userId,
  };
}

/** Whether the stored purchase holds every attribute `record` would write (absent = cleared). */
function samePurchase(record: Purchase['record'], other: Purchase['record'] | StoredPurchase): boolean {
  const have = other as Record<string, unknown>;
  return Object.entries(record).every(([k, v]) => (v ?? null) === (have[k] ?? null));
}

async function writeRecord({ purchaseId, createdAt, record, status, product, userId }: Purchase) {
  const db = adminDb();
  const steps = [db.tx.purchases[purchaseId].update({ ...record, createdAt, updatedAt: Date.now() })];
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
}

/** Writes the purchase that `view` implies (exported so tests can play a writer holding a stale view). */
export async function writePurchase(view: StripeView) {
  const purchase = await purchaseFor(view, new Map());
  await writeRecord(purchase);
  return purchase;
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
