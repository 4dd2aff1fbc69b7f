// A fixed-window rate limit whose state lives in Instant, so that every function instance
// shares it. Instant has no counters; a window instead holds at most `limit` slots, each a
// create-only entity with a unique slot name, so concurrent requests can never overfill it.
import { createHash } from 'node:crypto';
import { derivedId } from './derived-id.ts';
import { HttpError } from './http.ts';
import { adminDb, isAlreadyRecorded } from './instant-admin.ts';

export type Limit = { limit: number; windowMs: number };

/** RATE_LIMIT_SCALE multiplies every limit (e.g. 100 for load tests); 1 when unset. */
function scale(): number {
  const n = Number(process.env.RATE_LIMIT_SCALE ?? 1);
  return Number.isFinite(n) && n > 0 ? n : 1;
}

export async function enforceRateLimit(scope: string, who: string, { limit: base, windowMs }: Limit): Promise<void> {
  const limit = Math.max(1, Math.round(base * scale()));
  const db = adminDb();
  const now = Date.now();
  const window = Math.floor(now / windowMs);
  // Addresses are hashed: the limiter needs to tell callers apart, not to know them.
  const bucket = `${scope}:${createHash('sha256').update(who).digest('hex').slice(0, 16)}:${window}`;
  const { rateSlots } = await db.query({ rateSlots: { $: { where: { bucket }, fields: ['slot'] } } });
  for (let n = rateSlots.length; n < limit; n++) {
    const slot = `${bucket}:${n}`;
    try {
      await db.transact(db.tx.rateSlots[derivedId('rate-slot', slot)].create({ slot, bucket, createdAt: now }));
      return;
    } catch (e) {
      if (!isAlreadyRecorded(e)) throw e; // taken by a concurrent request: try the next slot
    }
  }
  const retryAfter = Math.ceil(((window + 1) * windowMs - now) / 1000);
  throw new HttpError(429, `Too many requests; try again in ${retryAfter} seconds.`, {
    'retry-after': String(retryAfter),
  });
}
