// POST /api/stripe/webhook: Stripe's events, verified on the raw body, each handled event taken
// to the one fulfillment path (why duplicates and events out of order are safe: see
// api/_lib/fulfillment/fulfill-checkout.ts). A delivery of an event already fully applied is
// answered from its applied-event record without calling Stripe (process-event.ts). A failed
// write answers 500, and Stripe delivers again.
import type Stripe from 'stripe';
import { ConfigError } from '../_lib/platform/config-error.ts';
import { handler, HttpError, json, readBody } from '../_lib/platform/http.ts';
import { getStripe } from '../_lib/platform/stripe-client.ts';
import { processStripeEvent } from '../_lib/fulfillment/process-event.ts';
import { withWebhookLog, type DeliveryNote } from '../_lib/ops/webhook-log.ts';

const MAX_EVENT_BYTES = 512 * 1024;

// Every delivery, accepted or not, is recorded in the webhook log for operators (webhook-log.ts).
export const POST = handler((req) => withWebhookLog('webhook', (note) => receive(req, note)));

async function receive(req: Request, note: DeliveryNote): Promise<Response> {
  const secret = process.env.STRIPE_WEBHOOK_SECRET?.trim();
  if (!secret)
    throw new ConfigError(
      'STRIPE_WEBHOOK_SECRET is not set: run `npm run stripe:setup` and set the whsec_… it prints.',
    );
  const signature = req.headers.get('stripe-signature');
  if (!signature) throw new HttpError(400, 'Missing Stripe-Signature header: only Stripe may call this endpoint.');
  const body = await readBody(req, MAX_EVENT_BYTES);

  let event: Stripe.Event;
  try {
    event = getStripe().webhooks.constructEvent(body, signature, secret);
  } catch (e) {
    throw new HttpError(400, `Webhook signature check failed: ${(e as Error).message}`);
  }
  note.event = event;
  // Shared with replays and reconcile (process-event.ts).
  const result = (note.result = await processStripeEvent(event));
  if (!result.handled) return json({ received: true, handled: false });
  return json({ received: true, handled: true, status: result.status ?? 'no-session' });
}
