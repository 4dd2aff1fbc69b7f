// Housekeeping that reconcile runs: rate-limit slots of past windows serve no purpose (a window
// lasts a minute), and webhook-log rows older than Stripe's own 30 days of events can no longer
// be replayed. Deleting either is idempotent, so concurrent runs are harmless.
import { adminDb } from '../platform/instant-admin.ts';

export const RATE_SLOT_TTL_MS = 60 * 60_000;
export const WEBHOOK_LOG_TTL_MS = 30 * 24 * 60 * 60_000;
const BATCH = 500;

export type Pruned = { rateSlots: number; webhookEvents: number };

export async function prune(now = Date.now()): Promise<Pruned> {
  const db = adminDb();
  let rateSlots = 0;
  let webhookEvents = 0;
  for (;;) {
    const { rateSlots: old } = await db.query({ rateSlots: { $: { where: { createdAt: { $lt: new Date(now - RATE_SLOT_TTL_MS) } }, limit: BATCH, fields: ['id'] } } });
    if (!old?.length) break;
    await db.transact(old.map((s) => db.tx.rateSlots[s.id].delete()));
    rateSlots += old.length;
  }
  for (;;) {
    const { webhookEvents: old } = await db.query({ webhookEvents: { $: { where: { receivedAt: { $lt: new Date(now - WEBHOOK_LOG_TTL_MS) } }, limit: BATCH, fields: ['id'] } } });
    if (!old?.length) break;
    await db.transact(old.map((e) => db.tx.webhookEvents[e.id].delete()));
    webhookEvents += old.length;
  }
  return { rateSlots, webhookEvents };
}
