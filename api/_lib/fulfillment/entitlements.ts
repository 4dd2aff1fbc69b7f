// What a purchase entitles its buyer to beyond the purchase record itself. For plans: the
// user's plan, recomputed from their paid plan purchases (user-plan.ts). For credit packs:
// ledger entries, each keyed by the Stripe object that caused it (the session, a refund, a
// dispute), derived from Stripe's current objects on every call. Any number of calls, in any
// order, on any number of machines, append each entry at most once (its unique `ref`) and
// converge on the same ledger. A failed write throws, so the webhook answers 500 and Stripe
// delivers again; nothing is marked done before it happened.
//
//   paid                      grant:<session>          +credits
//   refund (any status)       clawback:<refund>        -its share, never below zero
//   refund failed/canceled    refund-failed:<refund>   +what that clawback took
//   dispute (any status)      dispute:<dispute>        -its share, never below zero
//   dispute won               dispute-won:<dispute>    +what that clawback took
//
// Undoing entries are appended after what they undo (never instead of it), so a reader holding
// a stale view can only add an entry that a fresher reader has added (or will add) too.
import type Stripe from 'stripe';
import type { Product } from '../../../catalog/products.ts';
import { clawback, grant } from '../credits/ledger.ts';
import { WAS_PAID, type PurchaseStatus } from './purchase-status.ts';
import { getStripe } from '../platform/stripe-client.ts';
import { syncPlan } from './user-plan.ts';

export type EntitlementInput = {
  session: Stripe.Checkout.Session;
  status: PurchaseStatus;
  product: Product | null;
  purchaseId: string;
  /** The buyer's user (identify-buyer.ts): from metadata, a payment link's reference, or the email. */
  userId: string | null;
};

const SETTLED_FOR_SELLER = new Set(['won', 'warning_closed']);
const UNDONE_REFUND = new Set(['failed', 'canceled']);

export async function applyEntitlements({ session, status, product, userId }: EntitlementInput): Promise<void> {
  if (product?.kind === 'plan') {
    if (userId) await syncPlan(userId);
    return;
  }
  if (product?.kind !== 'credits') return;
  if (!userId) {
    console.error(`credits session ${session.id} has no buyer (no user, no email); nothing granted`);
    return;
  }
  const credits = packCredits(session, product.credits);
  const { refunds, disputes, chargeAmount } = await readMoneyBack(session);
  // A refund or dispute implies the session was paid; the grant always precedes what undoes it.
  if (!WAS_PAID.has(status) && refunds.length === 0 && disputes.length === 0) return;
  await grant(userId, credits, `grant:${session.id}`, `Bought ${product.title}`, session.id);
  if (!chargeAmount) return; // a free (100%-off) checkout has no charge to refund or dispute

  // Each refund's share is the difference of floor(credits * position / amount) at its two ends,
  // positions running over all refunds oldest first: shares of refunds adding up to the charge
  // add up to the pack, and an existing refund's share never changes when another is made.
  let position = 0;
  for (const r of refunds) {
    const share = Math.floor((credits * (position + r.amount)) / chargeAmount) - Math.floor((credits * position) / chargeAmount);
    position += r.amount;
    if (share === 0) continue;
    const taken = await clawback(userId, share, `clawback:${r.id}`, `Refund of ${product.title}`, session.id);
    if (UNDONE_REFUND.has(r.status ?? '')) {
      await giveBack(userId, -taken.entry.amount, `refund-failed:${r.id}`, `Refund of ${product.title} ${r.status}: credits restored`, session.id);
    }
  }
  for (const d of disputes) {
    const share = Math.floor((credits * Math.min(d.amount, chargeAmount)) / chargeAmount);
    if (share === 0) continue;
    const taken = await clawback(userId, share, `dispute:${d.id}`, `Payment for ${product.title} disputed`, session.id);
    if (SETTLED_FOR_SELLER.has(d.status)) {
      await giveBack(userId, -taken.entry.amount, `dispute-won:${d.id}`, `Dispute over ${product.title} won: credits restored`, session.id);
    }
  }
}

async function giveBack(userId: string, amount: number, ref: string, reason: string, sessionId: string) {
  if (amount > 0) await grant(userId, amount, ref, reason, sessionId);
}

/** Credits as sold (pinned in the session's metadata at checkout), else the catalog's. */
function packCredits(session: Stripe.Checkout.Session, catalogCredits: number): number {
  const pinned = Number(session.metadata?.credits);
  return Number.isInteger(pinned) && pinned > 0 ? pinned : catalogCredits;
}

async function readMoneyBack(session: Stripe.Checkout.Session) {
  const pi = typeof session.payment_intent === 'string' ? session.payment_intent : session.payment_intent?.id;
  if (!pi) return { refunds: [], disputes: [], chargeAmount: 0 };
  const stripe = getStripe();
  const [refunds, disputes] = await Promise.all([
    stripe.refunds.list({ payment_intent: pi, limit: 100 }).autoPagingToArray({ limit: 10_000 }),
    stripe.disputes.list({ payment_intent: pi, limit: 100 }).autoPagingToArray({ limit: 10_000 }),
  ]);
  const intent = typeof session.payment_intent === 'object' ? session.payment_intent : null;
  const charge = intent && typeof intent.latest_charge === 'object' ? intent.latest_charge : null;
  // Stripe lists newest first; shares are computed oldest first.
  return { refunds: refunds.reverse(), disputes, chargeAmount: charge?.amount ?? session.amount_total ?? 0 };
}
