// The webhook log: one `webhookEvents` entry per delivery received (and per operator replay),
// with its outcome and time taken. Writing the log never changes what Stripe is answered: a
// failed log write is reported on the console only.
import { id as newId } from '@instantdb/admin';
import type Stripe from 'stripe';
import { derivedId } from '../platform/derived-id.ts';
import { adminDb, isAlreadyRecorded } from '../platform/instant-admin.ts';
import type { EventOutcome } from '../fulfillment/process-event.ts';
import type { WebhookEventRow, WebhookOutcome } from '../../../contracts/ops.ts';

export type { WebhookEventRow, WebhookOutcome } from '../../../contracts/ops.ts';

/** Filled in by the handler as it learns what the delivery is. */
export type DeliveryNote = { event?: Stripe.Event; result?: EventOutcome };

export async function withWebhookLog<T>(
  source: 'webhook' | 'replay',
  fn: (note: DeliveryNote) => Promise<T>,
): Promise<T> {
  const note: DeliveryNote = {};
  const started = performance.now();
  try {
    const value = await fn(note);
    await record(source, note, performance.now() - started, null);
    return value;
  } catch (e) {
    await record(source, note, performance.now() - started, e);
    throw e;
  }
}

function outcomeOf(note: DeliveryNote, error: unknown): WebhookOutcome {
  // Before the signature is verified nothing about the delivery can be trusted.
  if (!note.event) return 'rejected';
  if (error) return 'failed';
  if (!note.result) return 'failed';
  if (!note.result.handled) return 'ignored';
  return note.result.sessionId ? 'fulfilled' : 'no-session';
}

async function record(source: string, note: DeliveryNote, durationMs: number, error: unknown): Promise<void> {
  const outcome = outcomeOf(note, error);
  const result = note.result?.handled ? note.result : null;
  const row = {
    type: note.event?.type ?? '(unverified)',
    outcome,
    source,
    durationMs: Math.round(durationMs),
    receivedAt: Date.now(),
    ...(note.event ? { eventId: note.event.id } : {}),
    ...(result?.sessionId ? { sessionId: result.sessionId } : {}),
    ...(result?.status ? { purchaseStatus: result.status } : {}),
    ...(error ? { error: String((error as Error)?.message ?? error).slice(0, 500) } : {}),
  };
  // Anyone can post to the endpoint, so unsigned deliveries are logged at most once a minute:
  // enough to show an operator a wrong STRIPE_WEBHOOK_SECRET, too little to flood the log.
  const id = outcome === 'rejected' ? derivedId('webhook-rejected', String(Math.floor(Date.now() / 60_000))) : newId();
  const db = adminDb();
  const entry = db.tx.webhookEvents[id].create(row);
  // The event's applied-event record (process-event.ts) goes in the same round trip: it is a
  // create-only claim beside a create-only entry, no derived state. If it exists already (a
  // concurrent delivery, a replay), the entry is written again alone.
  const claim = !error && result?.claim;
  try {
    if (claim) {
      try {
        await db.transact([entry, db.tx.appliedEvents[claim.id].create(claim.record)]);
        return;
      } catch (e) {
        if (!isAlreadyRecorded(e)) throw e;
      }
    }
    await db.transact(entry);
  } catch (e) {
    // A lost claim only costs the next duplicate the whole path.
    if (!isAlreadyRecorded(e))
      console.error(`webhook log: could not record ${row.eventId ?? row.type}: ${(e as Error).message}`);
  }
}

export type WebhookFilter = {
  type?: string;
  outcome?: string;
  eventId?: string;
  sessionIds?: string[];
  limit?: number;
};

export async function listWebhookEvents({
  type,
  outcome,
  eventId,
  sessionIds,
  limit = 100,
}: WebhookFilter = {}): Promise<WebhookEventRow[]> {
  if (sessionIds && sessionIds.length === 0) return [];
  const where = {
    ...(type ? { type } : {}),
    ...(outcome ? { outcome } : {}),
    ...(eventId ? { eventId } : {}),
    ...(sessionIds ? { sessionId: { $in: sessionIds } } : {}),
  };
  const { webhookEvents } = await adminDb().query({
    webhookEvents: { $: { where, order: { receivedAt: 'desc' }, limit } },
  });
  return webhookEvents as WebhookEventRow[];
}
