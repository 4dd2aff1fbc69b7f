// Everything a fulfillment decision needs from Stripe, read in one place once per round of the
// fulfillment loop (fulfill-checkout.ts). The purchase's status, its credit entries and the
// buyer's plan are pure functions of this view (purchase-status.ts, credit-entries.ts).
import type Stripe from 'stripe';
import { expanded } from '../platform/stripe-ids.ts';
import { getStripe } from '../platform/stripe-client.ts';
import { resolvePurchaseType } from './resolve-purchase-type.ts';

export type StripeView = {
  session: Stripe.Checkout.Session;
  intent: Stripe.PaymentIntent | null;
  /** The intent's latest charge: whether it was fully refunded or disputed, and its amount. */
  charge: Stripe.Charge | null;
  /** Oldest first. Read for credit packs only: only their ledger takes back a share per refund. */
  refunds: Stripe.Refund[];
  /** Read for a disputed charge only (their status decides whether access returns). */
  disputes: Stripe.Dispute[];
};

const ALL = { limit: 10_000 };

/** How old an event's copy of its session may be to stand in for the first read (viewFromEvent). */
export const FRESH_EVENT_S = 300;

/**
 * The first round's view from the event's own copy of its session, when it can stand in for a
 * read: a checkout event minutes old at most, whose session names its type in metadata (events
 * carry no line items) and whose status needs no other object (paid or expired; a delayed payment
 * that failed is told by its intent). The re-read after the write is still Stripe's
 * (fulfill-checkout.ts), so a copy that is out of date is written over at once; the age bound
 * keeps that window to a change made in the minutes since the event, never days.
 */
export function viewFromEvent(event: Stripe.Event, now = Date.now()): StripeView | null {
  const session = event.data.object as Stripe.Checkout.Session;
  if (session.object !== 'checkout.session' || now / 1000 - event.created > FRESH_EVENT_S) return null;
  const settled =
    session.status === 'expired' || (session.status === 'complete' && session.payment_status !== 'unpaid');
  const resolution = resolvePurchaseType(session);
  if (!settled || !resolution.product || resolution.source !== 'session') return null;
  return { session, intent: null, charge: null, refunds: [], disputes: [] };
}

/**
 * `previous` (the view of the round before) names the payment intent already, so its lists go out
 * together with the session's read; they are read again only if the session turned out different.
 */
export async function readStripeView(sessionId: string, previous?: StripeView): Promise<StripeView> {
  const stripe = getStripe();
  const lists = (intentId: string, forCredits: boolean, disputed: boolean) => {
    const byIntent = { payment_intent: intentId, limit: 100 };
    return Promise.all([
      forCredits ? stripe.refunds.list(byIntent).autoPagingToArray(ALL) : [],
      disputed ? stripe.disputes.list(byIntent).autoPagingToArray(ALL) : [],
    ]);
  };
  const guess = previous?.intent
    ? {
        intentId: previous.intent.id,
        forCredits: isCredits(previous.session),
        disputed: Boolean(previous.charge?.disputed),
      }
    : null;
  const early = guess ? lists(guess.intentId, guess.forCredits, guess.disputed) : null;
  // Settled even when unused, so a failed early read is never an unhandled rejection.
  early?.catch(() => {});
  const session = await stripe.checkout.sessions.retrieve(sessionId, {
    expand: ['line_items.data.price.product', 'payment_intent.latest_charge'],
  });
  const intent = expanded(session.payment_intent);
  const charge = expanded(intent?.latest_charge);
  if (!intent || !charge) return { session, intent, charge, refunds: [], disputes: [] };
  const want = { intentId: intent.id, forCredits: isCredits(session), disputed: Boolean(charge.disputed) };
  const same =
    guess &&
    guess.intentId === want.intentId &&
    guess.forCredits === want.forCredits &&
    guess.disputed === want.disputed;
  const [refunds, disputes] = await (same ? early! : lists(want.intentId, want.forCredits, want.disputed));
  // Stripe lists newest first.
  return { session, intent, charge, refunds: [...refunds].reverse(), disputes };
}

const isCredits = (session: Stripe.Checkout.Session) => resolvePurchaseType(session).product?.kind === 'credits';
