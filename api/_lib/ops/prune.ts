// Housekeeping that reconcile runs: rate-limit slots of past windows serve no purpose (a window
// lasts a minute), and webhook-log rows and applied-event records older than Stripe's own 30
// days of events can no longer be replayed or redelivered (Stripe retries for 3 days; a delivery
// of a pruned event would just run the whole idempotent path again), and recovery-link claims
// redeemed more than a day ago guard links that expired long since (a link lasts 20 minutes and
// its signature carries the expiry). Deleting any of them is idempotent, so concurrent runs are
// harmless.
import { adminDb } from '../platform/instant-admin.ts';

export const RATE_SLOT_TTL_MS = 60 * 60_000;
export const WEBHOOK_LOG_TTL_MS = 30 * 24 * 60 * 60_000;
const BATCH = 500;

const RECOVERY_CLAIM_TTL_MS = 24 * 60 * 60_000;

export type Pruned = { rateSlots: number; webhookEvents: number; appliedEvents: number; recoveryClaims: number };

export async function prune(now = Date.now()): Promise<Pruned> {
  const db = adminDb();
  const rateSlots = await deleteOlder('rateSlots', 'createdAt', new Date(now - RATE_SLOT_TTL_MS));
  const webhookEvents = await deleteOlder('webhookEvents', 'receivedAt', new Date(now - WEBHOOK_LOG_TTL_MS));
  const appliedEvents = await deleteOlder('appliedEvents', 'appliedAt', new Date(now - WEBHOOK_LOG_TTL_MS));
  const recoveryClaims = await deleteOlder('recoveryClaims', 'redeemedAt', new Date(now - RECOVERY_CLAIM_TTL_MS));
  return { rateSlots, webhookEvents, appliedEvents, recoveryClaims };

  async function deleteOlder(
    ns: 'rateSlots' | 'webhookEvents' | 'appliedEvents' | 'recoveryClaims',
    field: string,
    before: Date,
  ): Promise<number> {
    let n = 0;
    for (;;) {
      // One query shape for every namespace; the typed builder cannot take a computed key.
      const q = {
        [ns]: { $: { where: { [field]: { $lt: before } }, limit: BATCH, fields: ['id'] } },
      } as unknown as Parameters<typeof db.query>[0];
      const found = ((await db.query(q)) as Record<string, { id: string }[] | undefined>)[ns];
      if (!found?.length) return n;
      await db.transact(found.map((e) => db.tx[ns][e.id].delete()));
      n += found.length;
    }
  }
}
