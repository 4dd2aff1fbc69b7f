// Replaying a logged webhook event. Stripe has no API to resend an event, so a replay retrieves
// the event from Stripe (never trusting a stored copy) and runs it through the webhook's own
// path (processStripeEvent), logged like a delivery, even if it was applied before. The local
// stand-in can also resend it for real, which exercises the endpoint end to end (a real
// redelivery: an applied event is answered from its record).
import type Stripe from 'stripe';
import { HttpError } from '../platform/http.ts';
import { getStripe } from '../platform/stripe-client.ts';
import { processStripeEvent } from '../fulfillment/process-event.ts';
import { withWebhookLog } from './webhook-log.ts';

export type ReplayVia = 'reprocess' | 'resend';

export async function replayEvent(eventId: string, via: ReplayVia = 'reprocess') {
  if (via === 'resend') return resendLocally(eventId);
  let event: Stripe.Event;
  try {
    event = await getStripe().events.retrieve(eventId);
  } catch (e) {
    if ((e as { code?: string }).code === 'resource_missing')
      throw new HttpError(404, `No event ${eventId} in Stripe (events are kept for 30 days).`);
    throw e;
  }
  const result = await withWebhookLog('replay', async (note) => {
    note.event = event;
    return (note.result = await processStripeEvent(event, { replay: true }));
  });
  if (result.handled) delete result.claim; // written with the log entry; not the operator's business
  return { via, eventId, type: event.type, ...result };
}

async function resendLocally(eventId: string) {
  const base = process.env.STRIPE_API_BASE?.trim();
  if (!base)
    throw new HttpError(400, 'Resending through Stripe is only possible with the local stand-in; use via "reprocess".');
  const res = await fetch(`${base}/_local/events/${encodeURIComponent(eventId)}/resend`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ copies: 1 }),
  });
  const body = (await res.json().catch(() => ({}))) as { queued?: number; error?: { message?: string } };
  if (!res.ok)
    throw new HttpError(
      res.status === 404 ? 404 : 502,
      `The Stripe stand-in refused the resend: ${body.error?.message ?? res.status}`,
    );
  return { via: 'resend' as const, eventId, queued: body.queued ?? 0 };
}
