// Credit lots' ids and the opening lot (ledger.ts): a lot's id follows from the ref of what made
// it, so the same grant, or the same legacy balance, can only ever make one.
import type { InstaQLEntity } from '@instantdb/admin';
import { legacyQuery, legacyTotal, unopenedLegacy } from '../../../contracts/credits.ts';
import type { AppSchema } from '../../../instant.schema.ts';
import { derivedId } from '../platform/derived-id.ts';
import { adminDb, isAlreadyRecorded, retryAmbiguous } from '../platform/instant-admin.ts';
import { scanPages } from '../platform/scan.ts';

type LedgerEntry = InstaQLEntity<AppSchema, 'ledgerEntries'>;

export const lotIdOf = (ref: string) => derivedId('credit-lot', ref);
export const openingRef = (userId: string) => `opening:${userId}`;

/** The user's newest legacy entry if no opening lot holds its balance yet (else null). */
export async function unopenedLegacyOf(userId: string) {
  return unopenedLegacy({ creditLots: [], ...(await adminDb().query(legacyQuery(userId))) });
}

/** What a legacy ledger holds (`legacyTotal`): before its opening lot, every entry of the user is a legacy one. */
async function legacyBalanceOf(userId: string): Promise<number> {
  const entries: { amount: number }[] = [];
  const pages = scanPages({ ns: 'ledgerEntries', field: 'createdAt', where: { userId }, fields: ['amount'] });
  for await (const rows of pages) for (const r of rows) entries.push({ amount: Number(r.amount) });
  return legacyTotal(entries);
}

/**
 * Turns a legacy ledger's balance into the opening lot, linked to its newest entry. Create-only
 * with an id derived from the user, so any number of migrations and claims, at once, open it once.
 */
export async function openLegacyBalance(
  userId: string,
  newest: Pick<LedgerEntry, 'id' | 'createdAt'>,
): Promise<'opened' | 'already-open'> {
  const db = adminDb();
  const ref = openingRef(userId);
  const size = await legacyBalanceOf(userId);
  const lot = { ref, userId, size, open: size > 0, createdAt: newest.createdAt };
  try {
    await retryAmbiguous(() =>
      db.transact(db.tx.creditLots[lotIdOf(ref)].create(lot).link({ owner: userId, openedFrom: newest.id })),
    );
    return 'opened';
  } catch (e) {
    if (isAlreadyRecorded(e)) return 'already-open';
    throw e;
  }
}
