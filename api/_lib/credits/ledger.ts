// The credits ledger (see `ledgerEntries` in instant.schema.ts). Instant has no increment or
// compare-and-set, so an append claims the unique slot `<userId>:<seq+1>` in the same transaction
// that writes the entry and any extra steps (a spend's haiku): of concurrent appends exactly one
// wins each slot, and the losers re-read and retry. The unique `ref` names what caused the entry,
// so the same cause can never be applied twice, whichever process gets there first.
import { id as newId, type InstaQLEntity } from '@instantdb/admin';
import type { AppSchema } from '../../../instant.schema.ts';
import { HttpError } from '../platform/http.ts';
import { adminDb, backoff, isAlreadyRecorded, isAmbiguous, withDeadline } from '../platform/instant-admin.ts';

export type LedgerEntry = InstaQLEntity<AppSchema, 'ledgerEntries'>;

/** What to append given the current balance; null appends nothing. */
type Decide = (balance: number) => { amount: number; reason: string; shortfall?: number } | null;
type Steps = Parameters<ReturnType<typeof adminDb>['transact']>[0];

export type AppendResult =
  | { status: 'applied'; entry: LedgerEntry }
  | { status: 'already-applied'; entry: LedgerEntry }
  | { status: 'declined'; balance: number };

// Each retry means another append won the slot, so progress is guaranteed; the cap only bounds
// one request's wait under a burst.
const MAX_ATTEMPTS = 200;
// Lost answers (no answer, 5xx) one append tolerates before it answers 503 so its caller retries.
const MAX_AMBIGUOUS = 3;

export async function latestEntry(userId: string): Promise<LedgerEntry | null> {
  const db = adminDb();
  const { ledgerEntries } = await db.query({
    ledgerEntries: { $: { where: { userId }, order: { seq: 'desc' }, limit: 1 } },
  });
  return ledgerEntries[0] ?? null;
}

export async function entryByRef(ref: string): Promise<LedgerEntry | null> {
  const db = adminDb();
  const { ledgerEntries } = await db.query({ ledgerEntries: { $: { where: { ref } } } });
  return ledgerEntries[0] ?? null;
}

export async function balanceOf(userId: string): Promise<number> {
  return (await latestEntry(userId))?.balance ?? 0;
}

/** Which unique attribute a collision was on, from Instant's error body (`null` when it does not say). */
export function collidedAttribute(e: unknown): 'slot' | 'ref' | null {
  const body = (e as { body?: { message?: string; hint?: Record<string, unknown> } })?.body;
  const label = body?.hint?.label;
  if (label === 'slot' || label === 'ref') return label;
  const m = /`(slot|ref)`|ledgerEntries\.(slot|ref)\b/.exec(body?.message ?? '');
  return m ? ((m[1] ?? m[2]) as 'slot' | 'ref') : null;
}

export async function append(
  userId: string,
  ref: string,
  decide: Decide,
  opts: { sessionId?: string; extraSteps?: Steps } = {},
): Promise<AppendResult> {
  const db = adminDb();
  let ambiguous = 0;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    // A read, not a guard: the unique `ref` is what makes a second application impossible.
    // Both reads are independent, so they go out together.
    const [existing, last] = await Promise.all([entryByRef(ref), latestEntry(userId)]);
    if (existing) return { status: 'already-applied', entry: existing };
    const balance = last?.balance ?? 0;
    const change = decide(balance);
    if (!change) return { status: 'declined', balance };
    const seq = (last?.seq ?? 0) + 1;
    const entry: LedgerEntry = {
      id: newId(),
      slot: `${userId}:${seq}`,
      ref,
      userId,
      seq,
      amount: change.amount,
      balance: balance + change.amount,
      reason: change.reason,
      createdAt: Date.now(),
      ...(opts.sessionId ? { sessionId: opts.sessionId } : {}),
      ...(change.shortfall ? { shortfall: change.shortfall } : {}),
    };
    if (entry.balance < 0) throw new Error(`ledger: refusing an entry that would leave ${userId} below zero`);
    const { id, ...fields } = entry;
    const extra = opts.extraSteps ? (Array.isArray(opts.extraSteps) ? opts.extraSteps : [opts.extraSteps]) : [];
    try {
      await withDeadline(db.transact([db.tx.ledgerEntries[id].create(fields).link({ owner: userId }), ...extra]));
      return { status: 'applied', entry };
    } catch (e) {
      if (isAmbiguous(e)) {
        // Did this append land? Its entry id is this attempt's own, so reading `ref` back says
        // whether it is mine, another's, or not there (then try again; the unique slot and ref
        // keep a late landing of this attempt from being applied twice).
        const landed = await entryByRef(ref);
        if (landed)
          return landed.id === id ? { status: 'applied', entry } : { status: 'already-applied', entry: landed };
        if (++ambiguous >= MAX_AMBIGUOUS) break;
        await backoff(ambiguous);
        continue;
      }
      if (!isAlreadyRecorded(e)) throw e;
      // `slot` taken: another append won this seq, so read again. `ref` taken: it was applied
      // meanwhile, which the read at the top of the next attempt returns.
      if (collidedAttribute(e) === 'ref') {
        const applied = await entryByRef(ref);
        if (applied) return { status: 'already-applied', entry: applied };
      }
    }
  }
  throw new HttpError(503, 'The credits ledger is busy; please try again.', { 'retry-after': '1' });
}

type Recorded = Exclude<AppendResult, { status: 'declined' }>;

function recorded(r: AppendResult): Recorded {
  if (r.status === 'declined') throw new Error('ledger: an unconditional entry was declined');
  return r;
}

function assertWholeAmount(kind: 'grant' | 'clawback', amount: number) {
  if (!Number.isInteger(amount) || amount < 0)
    throw new Error(`ledger: a ${kind} must be a non-negative integer (got ${amount})`);
}

export async function grant(
  userId: string,
  amount: number,
  ref: string,
  reason: string,
  sessionId?: string,
): Promise<Recorded> {
  assertWholeAmount('grant', amount);
  return recorded(await append(userId, ref, () => ({ amount, reason }), { sessionId }));
}

/** One credit for one use; `extraSteps` (the haiku) commit in the same transaction or not at all. */
export async function spend(
  userId: string,
  useRef: string,
  reason: string,
  extraSteps?: Steps,
): Promise<{ ok: true; balance: number } | { ok: false; balance: number }> {
  const result = await append(userId, useRef, (balance) => (balance >= 1 ? { amount: -1, reason } : null), {
    extraSteps,
  });
  if (result.status === 'declined') return { ok: false, balance: result.balance };
  return { ok: true, balance: result.entry.balance };
}

/** Takes back up to `amount`, never below zero; what could not be taken is recorded as `shortfall`. */
export async function clawback(
  userId: string,
  amount: number,
  ref: string,
  reason: string,
  sessionId?: string,
): Promise<Recorded> {
  assertWholeAmount('clawback', amount);
  const result = await append(
    userId,
    ref,
    (balance) => {
      const taken = Math.min(amount, balance);
      const shortfall = amount - taken;
      return {
        amount: -taken,
        reason: shortfall ? `${reason} (${shortfall} already spent, not taken back)` : reason,
        shortfall,
      };
    },
    { sessionId },
  );
  return recorded(result);
}
