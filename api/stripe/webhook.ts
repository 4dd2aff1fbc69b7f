// POST /api/stripe/webhook: Stripe's events, verified on the raw body. Each handled event leads
// to the one fulfilment path, which re-reads Stripe, so duplicates, retries, replays and events
// out of order all converge. A failed write answers 500, and Stripe delivers again.
import type Stripe from 'stripe';
import { fulfillCheckout, sessionIdForPaymentIntent } from '../_lib/fulfill-checkout.ts';
import { ConfigError, handler, HttpError, json, readBody } from '../_lib/http.ts';
import { getStripe } from '../_lib/stripe-client.ts';
import { isHandledStripeEvent } from '../_lib/stripe-events.ts';

const MAX_EVENT_BYTES = 512 * 1024;

export const POST = handler(async (req) => {
  const secret = process.env.STRIPE_WEBHOOK_SECRET?.trim();
  if (!secret) throw new ConfigError('STRIPE_WEBHOOK_SECRET is not set: run `npm run stripe:setup` and set the whsec_… it prints.');
  const signature = req.headers.get('stripe-signature');
  if (!signature) throw new HttpError(400, 'Missing Stripe-Signature header: only Stripe may call this endpoint.');
  const body = await readBody(req, MAX_EVENT_BYTES);

  let event: Stripe.Event;
  try {
    event = getStripe().webhooks.constructEvent(body, signature, secret);
  } catch (e) {
    throw new HttpError(400, `Webhook signature check failed: ${(e as Error).message}`);
  }
  if (!isHandledStripeEvent(event.type)) return json({ received: true, handled: false });

  const sessionId = await sessionOf(event);
  const outcome = sessionId ? await fulfillCheckout(sessionId) : null;
  return json({ received: true, handled: true, status: outcome?.status ?? 'no-session' });
});

/** The Checkout Session an event is about: directly, or through the charge's payment intent. */
async function sessionOf(event: Stripe.Event): Promise<string | null> {
  const obj = event.data.object as { object: string; id: string; payment_intent?: string | { id: string } | null; charge?: string | { id: string } };
  if (obj.object === 'checkout.session') return obj.id;
  let pi = obj.payment_intent;
  if (!pi && obj.charge) {
    const chargeId = typeof obj.charge === 'string' ? obj.charge : obj.charge.id;
    pi = (await getStripe().charges.retrieve(chargeId)).payment_intent;
  }
  const piId = typeof pi === 'string' ? pi : pi?.id;
  return piId ? sessionIdForPaymentIntent(piId) : null;
}
