// What a purchase entitles its buyer to beyond the purchase record itself. For plans: the
// user's plan, recomputed from their paid plan purchases (user-plan.ts). For credit packs: the
// ledger entries the Stripe view implies (credit-entries.ts), appended on every call. Any number
// of calls, in any order, on any number of machines, append each entry at most once (its unique
// `ref`) and converge on the same ledger. A failed write throws, so the webhook answers 500 and
// Stripe delivers again; nothing is marked done before it happened.
import type { Product } from '../../../catalog/products.ts';
import { clawback, grant } from '../credits/ledger.ts';
import { creditEntries } from './credit-entries.ts';
import type { PurchaseStatus } from './purchase-status.ts';
import type { StripeView } from './stripe-view.ts';
import { syncPlan } from './user-plan.ts';

export type EntitlementInput = {
  status: PurchaseStatus;
  product: Product | null;
  /** The buyer's user (identify-buyer.ts): from metadata, a payment link's reference, or the email. */
  userId: string | null;
};

export async function applyEntitlements(
  view: StripeView,
  { status, product, userId }: EntitlementInput,
): Promise<void> {
  if (product?.kind === 'plan') {
    if (userId) await syncPlan(userId);
    return;
  }
  if (product?.kind !== 'credits') return;
  const sessionId = view.session.id;
  if (!userId) {
    console.error(`credits session ${sessionId} has no buyer (no user, no email); nothing granted`);
    return;
  }
  for (const e of creditEntries(view, status, product)) {
    if (e.kind === 'grant') {
      await grant(userId, e.amount, e.ref, e.reason, sessionId);
      continue;
    }
    const taken = await clawback(userId, e.amount, e.ref, e.reason, sessionId);
    const back = -taken.entry.amount;
    if (e.restore && back > 0) await grant(userId, back, e.restore.ref, e.restore.reason, sessionId);
  }
}
