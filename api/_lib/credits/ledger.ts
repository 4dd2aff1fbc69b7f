// The credits ledger (instant.schema.ts: `ledgerEntries`, `creditLots`, `creditClaims`). Instant
// has no increment or compare-and-set; what is atomic is a transaction (whole or not at all), a
// unique attribute, and a create-only write with a derived id. So credits are units, not a count:
// - A grant of N writes its history entry and a lot of N units in one transaction.
// - A spend reads the user's open lots, picks one free unit at random among the oldest lots'
//   first WINDOW free units, and in one transaction creates the claim `<lot>:<k>` (unique), its
//   entry and any extra steps (a haiku). Concurrent spenders mostly pick different units and win
//   at once; a loser pauses a random moment, re-reads and picks again; with no free unit left it
//   is declined, so the balance never goes below zero and exactly as many spends win as there
//   were credits.
// - A clawback claims up to its amount (the pack's own lot first), never below zero, recording
//   the shortfall; what a failed refund or a won dispute gives back is a grant.
// - The unique `ref` names an entry's cause: whoever gets there first applies it, once. Claims
//   carry it as `by` (their owner): one read finds a spend already applied. A lost answer is
//   settled by reading the ref back.
// - A lot closes (`open: false`, for good) in the transaction that claims its last unit, or the
//   next claim that sees it full, so a balance is read from open lots only.
// - A legacy ledger (slot/seq/running balance) keeps its entries; what they add up to becomes an
//   opening lot (create-only, derived id) by `npm run migrate:ledger` or the first claim on it.
import { randomInt } from 'node:crypto';
import { id as newId, type InstaQLEntity } from '@instantdb/admin';
import { heldBalance, holdingsQuery, unopenedLegacy, type Holdings } from '../../../contracts/credits.ts';
import type { AppSchema } from '../../../instant.schema.ts';
import { HttpError } from '../platform/http.ts';
import { adminDb, backoff, isAlreadyRecorded, isAmbiguous, withDeadline } from '../platform/instant-admin.ts';
import { lotIdOf, openLegacyBalance, unopenedLegacyOf } from './lots.ts';

export type LedgerEntry = InstaQLEntity<AppSchema, 'ledgerEntries'>;
type Lot = InstaQLEntity<AppSchema, 'creditLots', { claims: object }>;
type Steps = Parameters<ReturnType<typeof adminDb>['transact']>[0];
type Step = Extract<Steps, unknown[]>[number];

export type AppendResult =
  | { status: 'applied'; entry: LedgerEntry }
  | { status: 'already-applied'; entry: LedgerEntry }
  | { status: 'declined' };
type Recorded = Exclude<AppendResult, { status: 'declined' }>;

// Free units a spend picks among: enough that concurrent spenders rarely pick the same one, few
// enough that older lots fill and close (which keeps every balance read small, see freeUnits).
const WINDOW = 64;
// Each collision means another claim won, so progress is guaranteed; the cap only bounds one
// request's wait under a burst.
const MAX_ATTEMPTS = 200;
// After a collision a spender waits a random 0..20·2^(n-1) ms (at most 100) before it reads
// again: losers of one burst then read one after another, and the later ones find the last units
// taken and decline on that one read, instead of all fighting over them again. Under 100 spends
// at once on 40 credits that is about a fifth fewer Instant calls.
const COLLISION_PAUSE = { baseMs: 20, capMs: 100, jitter: true };
// Lost answers (no answer, 5xx) one write tolerates before it answers 503 so its caller retries.
const MAX_AMBIGUOUS = 3;

const unitOf = (lotId: string, k: number) => `${lotId}:${k}`;

export async function entryByRef(ref: string): Promise<LedgerEntry | null> {
  const { ledgerEntries } = await adminDb().query({ ledgerEntries: { $: { where: { ref } } } });
  return ledgerEntries[0] ?? null;
}

const held = (h: Holdings<LedgerEntry> & { creditLots: Lot[] }) => ({
  lots: h.creditLots,
  legacy: unopenedLegacy(h),
  balance: heldBalance(h),
});

/**
 * One round trip, one snapshot: the open lots with their claims, the newest legacy entry, and
 * the claims `ref` made (an applied spend made one, in the transaction that wrote its entry).
 */
async function readHoldings(userId: string, ref: string) {
  const h = await adminDb().query({ ...holdingsQuery(userId), creditClaims: { $: { where: { by: ref } } } });
  return { claimedBefore: h.creditClaims.length > 0, ...held(h as typeof h & { creditLots: Lot[] }) };
}

export async function balanceOf(userId: string): Promise<number> {
  const h = await adminDb().query(holdingsQuery(userId));
  return held(h as typeof h & { creditLots: Lot[] }).balance;
}

/** Which unique attribute a collision was on, from Instant's error body (`null` when it does not say). */
function collidedAttribute(e: unknown): 'unit' | 'ref' | null {
  const body = (e as { body?: { message?: string; hint?: Record<string, unknown> } })?.body;
  const label = body?.hint?.label;
  if (label === 'unit' || label === 'ref') return label;
  const m = /`(unit|ref)`|(?:creditClaims|ledgerEntries)\.(unit|ref)\b/.exec(body?.message ?? '');
  return m ? ((m[1] ?? m[2]) as 'unit' | 'ref') : null;
}

type Written =
  { status: 'applied' } | { status: 'already-applied'; entry: LedgerEntry } | { status: 'collided' | 'unknown' };

/**
 * Commits one attempt. A lost answer is settled by reading `ref` back (the entry id is this
 * attempt's own); so is a collision on anything but a unit (the ref, a haiku's derived id).
 */
async function commit(ref: string, entryId: string, steps: Step[]): Promise<Written> {
  try {
    await withDeadline(adminDb().transact(steps));
    return { status: 'applied' };
  } catch (e) {
    const lost = isAmbiguous(e);
    if (!lost && !isAlreadyRecorded(e)) throw e;
    // A unit another claim won: pick again. (A lost attempt may still land late: the unique ref
    // and units keep it from counting twice against the retry.)
    if (!lost && collidedAttribute(e) === 'unit') return { status: 'collided' };
    const landed = await entryByRef(ref);
    if (landed) return landed.id === entryId ? { status: 'applied' } : { status: 'already-applied', entry: landed };
    return { status: lost ? 'unknown' : 'collided' };
  }
}

type Change = { amount: number; reason: string; sessionId?: string; shortfall?: number };

function entryStep(entryId: string, userId: string, ref: string, change: Change, now: number) {
  const db = adminDb();
  const entry: LedgerEntry = {
    id: entryId,
    ref,
    userId,
    amount: change.amount,
    reason: change.reason,
    createdAt: now,
    ...(change.sessionId ? { sessionId: change.sessionId } : {}),
    ...(change.shortfall ? { shortfall: change.shortfall } : {}),
  };
  const { id, ...fields } = entry;
  return { entry, step: db.tx.ledgerEntries[id].create(fields).link({ owner: userId }) };
}

const busy = () => new HttpError(503, 'The credits ledger is busy; please try again.', { 'retry-after': '1' });

/** What a grant or a clawback is given: whose, how many credits, its cause, and the why a user reads. */
type Movement = [userId: string, amount: number, ref: string, reason: string, sessionId?: string];

function assertWholeAmount(kind: 'grant' | 'clawback', amount: number) {
  if (!Number.isInteger(amount) || amount < 0)
    throw new Error(`ledger: a ${kind} must be a non-negative integer (got ${amount})`);
}

/** Adds `amount` credits as a new lot; the same `ref` grants once. */
export async function grant(...[userId, amount, ref, reason, sessionId]: Movement): Promise<Recorded> {
  assertWholeAmount('grant', amount);
  const db = adminDb();
  // A legacy ledger's balance is opened before anything new is written to it (contracts/credits.ts).
  const legacy = await unopenedLegacyOf(userId);
  if (legacy) await openLegacyBalance(userId, legacy);
  for (let ambiguous = 0; ambiguous < MAX_AMBIGUOUS;) {
    const now = Date.now();
    const { entry, step } = entryStep(newId(), userId, ref, { amount, reason, sessionId }, now);
    const lot = { ref, userId, size: amount, open: amount > 0, createdAt: now, ...(sessionId ? { sessionId } : {}) };
    const written = await commit(ref, entry.id, [
      step,
      db.tx.creditLots[lotIdOf(ref)].create(lot).link({ owner: userId }),
    ]);
    if (written.status === 'applied') return { status: 'applied', entry };
    if (written.status === 'already-applied') return written;
    // Colliding, yet not recorded: only a lot made by a grant that failed after its own lot (never).
    if (written.status === 'collided') throw new Error(`ledger: grant ${ref} collided but is not recorded`);
    await backoff(++ambiguous);
  }
  throw busy();
}

type Unit = { lot: Lot; k: number };

/**
 * Free units in order, at most `enough`. Spends pick among the first WINDOW (oldest lot first,
 * unit by unit), so a lot beyond them has no claims and the oldest always fill up and close:
 * whatever the history, the open lots hold at most about WINDOW lots' claims. A clawback takes
 * from the other end (the `first` lots', then newest first, last unit first), away from spends.
 */
function freeUnits(lots: Lot[], enough: number, clawback?: (lot: Lot) => boolean): Unit[] {
  const ordered = clawback ? [...lots.filter(clawback), ...lots.filter((l) => !clawback(l)).reverse()] : lots;
  const units: Unit[] = [];
  for (const lot of ordered) {
    const taken = new Set(lot.claims.map((c) => c.unit));
    for (let i = 0; i < lot.size && units.length < enough; i++) {
      const k = clawback ? lot.size - 1 - i : i;
      if (!taken.has(unitOf(lot.id, k))) units.push({ lot, k });
    }
    if (units.length >= enough) break;
  }
  return units;
}

/** The claims of `units`, and closing every lot that they (or earlier claims) fill. */
function claimSteps(userId: string, by: string, units: Unit[], lots: Lot[], now: number): Step[] {
  const db = adminDb();
  const steps: Step[] = units.map(({ lot, k }) => {
    const unit = unitOf(lot.id, k);
    // The unique `unit` is the claim; a random id, so that a collision names `unit`.
    return db.tx.creditClaims[newId()].create({ unit, userId, by, createdAt: now }).link({ lot: lot.id });
  });
  for (const lot of lots) {
    const claimed = lot.claims.length + units.filter((u) => u.lot.id === lot.id).length;
    if (claimed >= lot.size) steps.push(db.tx.creditLots[lot.id].update({ open: false }));
  }
  return steps;
}

/**
 * What to take given the balance, recorded as `change`: one unit at random (a spend), or with
 * `prefer`, `units` units in order, the preferred lots' first (a clawback). Null takes nothing.
 */
type Decide = (balance: number) => { units: number; change: Change; prefer?: (lot: Lot) => boolean } | null;

/**
 * Claims units and writes the entry for `ref` in one transaction, retrying collisions with a fresh
 * read. `balance` is the balance after the result as this call's last read and write saw it.
 */
async function claim(
  userId: string,
  ref: string,
  decide: Decide,
  extra: Step[] = [],
): Promise<{ result: AppendResult; balance: number }> {
  let ambiguous = 0;
  let foundOpen = 0;
  let collisions = 0;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const held = await readHoldings(userId, ref);
    if (held.claimedBefore) {
      const entry = await entryByRef(ref);
      if (entry) return { result: { status: 'already-applied', entry }, balance: held.balance };
    }
    if (held.legacy) {
      const opened = await openLegacyBalance(userId, held.legacy);
      // Found open twice over fresh reads that still see it unopened: an old-layout writer
      // appended after the lot was opened (a rolling deploy); no retry mends that, so say so.
      if (opened === 'already-open' && foundOpen++)
        throw new Error(
          `ledger: ${userId} has a legacy entry newer than its opening lot; stop every old-version instance, then fix that entry by hand`,
        );
      continue;
    }
    const plan = decide(held.balance);
    if (!plan) return { result: { status: 'declined' }, balance: held.balance };
    const now = Date.now();
    // With a preference (a clawback), the first units in order; otherwise (a spend) one at random.
    const units = freeUnits(held.lots, plan.prefer ? plan.units : WINDOW, plan.prefer);
    if (units.length < plan.units) throw new Error(`ledger: ${ref} found fewer free units than its balance`);
    const chosen = plan.prefer ? units.slice(0, plan.units) : [units[randomInt(units.length)]];
    const { entry, step } = entryStep(newId(), userId, ref, plan.change, now);
    const written = await commit(ref, entry.id, [step, ...claimSteps(userId, ref, chosen, held.lots, now), ...extra]);
    if (written.status === 'applied')
      return { result: { status: 'applied', entry }, balance: held.balance + entry.amount };
    // Landed after this read (its claims were not in it), unless it is a legacy entry: that made
    // no claims, and its balance was in the read.
    if (written.status === 'already-applied') {
      const landed = written.entry;
      return { result: written, balance: held.balance + (landed.seq ? 0 : landed.amount) };
    }
    if (written.status === 'unknown') {
      if (++ambiguous >= MAX_AMBIGUOUS) break;
      await backoff(ambiguous);
    }
    // `collided`: a unit was taken meanwhile; read again (after a pause) and pick another.
    if (written.status === 'collided') await backoff(++collisions, COLLISION_PAUSE);
  }
  throw busy();
}

/** One credit for one use; `extraSteps` (the haiku) commit in the same transaction or not at all. */
export async function spend(
  userId: string,
  useRef: string,
  reason: string,
  extraSteps?: Steps,
): Promise<{ ok: true; balance: number } | { ok: false; balance: number }> {
  const extra = extraSteps ? [extraSteps].flat() : [];
  const { result, balance } = await claim(
    userId,
    useRef,
    (balance) => (balance >= 1 ? { units: 1, change: { amount: -1, reason } } : null),
    extra,
  );
  // The balance as this spend saw it: exact unless other spends landed at the same moment.
  return { ok: result.status !== 'declined', balance };
}

/**
 * Takes back up to `amount` (from the lots of `sessionId` first), never below zero; what could
 * not be taken is recorded as `shortfall`.
 */
export async function clawback(...[userId, amount, ref, reason, sessionId]: Movement): Promise<Recorded> {
  assertWholeAmount('clawback', amount);
  const { result } = await claim(userId, ref, (balance) => {
    const taken = Math.min(amount, balance);
    const shortfall = amount - taken;
    return {
      units: taken,
      prefer: (lot) => Boolean(sessionId) && lot.sessionId === sessionId,
      change: {
        amount: taken ? -taken : 0,
        reason: shortfall ? `${reason} (${shortfall} already spent, not taken back)` : reason,
        sessionId,
        shortfall,
      },
    };
  });
  if (result.status === 'declined') throw new Error('ledger: a clawback was declined');
  return result;
}
