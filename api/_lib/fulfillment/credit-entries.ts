// The credits ledger entries a credit pack's Stripe view implies, each keyed by the Stripe object
// that caused it (entitlements.ts appends them; the unique `ref` makes each happen at most once):
//
//   paid                      grant:<session>          +credits
//   refund (any status)       clawback:<refund>        -its share, never below zero
//   refund failed/canceled    refund-failed:<refund>   +what that clawback took
//   dispute (any status)      dispute:<dispute>        -its share, never below zero
//   dispute won               dispute-won:<dispute>    +what that clawback took
//
// Undoing entries come after what they undo (never instead of it), so a reader holding a stale
// view can only add an entry that a fresher reader has added (or will add) too.
import type Stripe from 'stripe';
import { SETTLED_FOR_SELLER, WAS_PAID, type PurchaseStatus } from './purchase-status.ts';

export type CreditEntry =
  | { kind: 'grant'; ref: string; amount: number; reason: string }
  /** Takes back up to `amount`; `restore` (when set) then gives back what was taken. */
  | { kind: 'clawback'; ref: string; amount: number; reason: string; restore: { ref: string; reason: string } | null };

export type CreditInputs = {
  session: Pick<Stripe.Checkout.Session, 'id' | 'metadata' | 'amount_total'>;
  intent: unknown | null;
  charge: Pick<Stripe.Charge, 'amount'> | null;
  refunds: Pick<Stripe.Refund, 'id' | 'amount' | 'status'>[];
  disputes: Pick<Stripe.Dispute, 'id' | 'amount' | 'status'>[];
};

const UNDONE_REFUND = new Set(['failed', 'canceled']);

/** Credits as sold (pinned in the session's metadata at checkout), else the catalog's. */
export function packCredits(session: Pick<Stripe.Checkout.Session, 'metadata'>, catalogCredits: number): number {
  const pinned = Number(session.metadata?.credits);
  return Number.isInteger(pinned) && pinned > 0 ? pinned : catalogCredits;
}

export function creditEntries(
  view: CreditInputs,
  status: PurchaseStatus,
  pack: { credits: number; title: string },
): CreditEntry[] {
  const { session, refunds, disputes } = view;
  // A refund or dispute implies the session was paid; the grant always precedes what undoes it.
  if (!WAS_PAID.has(status) && refunds.length === 0 && disputes.length === 0) return [];
  const credits = packCredits(session, pack.credits);
  const entries: CreditEntry[] = [
    { kind: 'grant', ref: `grant:${session.id}`, amount: credits, reason: `Bought ${pack.title}` },
  ];
  const chargeAmount = view.intent ? (view.charge?.amount ?? session.amount_total ?? 0) : 0;
  if (!chargeAmount) return entries; // a free (100%-off) checkout has no charge to refund or dispute

  // Each refund's share is the difference of floor(credits * position / amount) at its two ends,
  // positions running over all refunds oldest first: shares of refunds adding up to the charge
  // add up to the pack, and an existing refund's share never changes when another is made.
  const upTo = (position: number) => Math.floor((credits * position) / chargeAmount);
  let position = 0;
  for (const r of refunds) {
    const amount = upTo(position + r.amount) - upTo(position);
    position += r.amount;
    if (amount === 0) continue;
    const undone = UNDONE_REFUND.has(r.status ?? '');
    entries.push({
      kind: 'clawback',
      ref: `clawback:${r.id}`,
      amount,
      reason: `Refund of ${pack.title}`,
      restore: undone
        ? { ref: `refund-failed:${r.id}`, reason: `Refund of ${pack.title} ${r.status}: credits restored` }
        : null,
    });
  }
  for (const d of disputes) {
    const amount = upTo(Math.min(d.amount, chargeAmount));
    if (amount === 0) continue;
    const won = SETTLED_FOR_SELLER.has(d.status);
    entries.push({
      kind: 'clawback',
      ref: `dispute:${d.id}`,
      amount,
      reason: `Payment for ${pack.title} disputed`,
      restore: won ? { ref: `dispute-won:${d.id}`, reason: `Dispute over ${pack.title} won: credits restored` } : null,
    });
  }
  return entries;
}
