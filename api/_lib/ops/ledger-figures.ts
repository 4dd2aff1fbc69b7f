// How the overview reads the credits ledger (`ledgerEntries`, kept by api/_lib/credits/): the one
// place that knows what an entry's `amount`, `reason` and `sessionId` say about its cause.
// Grants are positive entries of a purchase (`Bought …`); spends are negative entries of no
// purchase; clawbacks are negative entries of a purchase (a refund or dispute); an entry that
// gives a clawback back (a refund failed, a dispute won) is positive but not a sale.
import { heldBalance, legacyTotal, type Holdings } from '../../../contracts/credits.ts';
import { adminDb } from '../platform/instant-admin.ts';

export type LedgerRow = {
  userId: string;
  amount: number;
  reason: string;
  sessionId?: string | null;
  createdAt: number | string;
};

export type CreditFigures = { sold: number; spent: number; clawedBack: number; outstanding: number };

export type LedgerCause = 'sold' | 'spent' | 'clawed-back' | 'restored';

function causeOf(e: Pick<LedgerRow, 'amount' | 'reason' | 'sessionId'>): LedgerCause {
  if (e.amount < 0) return e.sessionId ? 'clawed-back' : 'spent';
  return e.sessionId && e.reason.startsWith('Bought ') ? 'sold' : 'restored';
}

/**
 * Sold, spent and clawed back (net of what was given back) by entries made in `[start, end)`;
 * outstanding: the credits users hold at `end`, worked back from what they hold now (`heldNow`:
 * the open lots and unopened legacy balances) by the amounts entered since (a clawback's amount
 * is what it took, never below zero, so amounts add up to balances). `rows` are every entry made
 * from `start` until now.
 */
export function creditFigures(rows: LedgerRow[], start: number, end: number, heldNow: number): CreditFigures {
  const out: CreditFigures = { sold: 0, spent: 0, clawedBack: 0, outstanding: heldNow };
  for (const e of rows) {
    const at = new Date(e.createdAt).getTime();
    if (at >= end) out.outstanding -= e.amount;
    if (at < start || at >= end) continue;
    const cause = causeOf(e);
    if (cause === 'sold') out.sold += e.amount;
    else if (cause === 'spent') out.spent -= e.amount;
    else out.clawedBack -= e.amount; // negative takes, positive gives back
  }
  return out;
}

/**
 * What the figures need, in one query so that they are of one snapshot: the entries made from
 * `start` until now, the open lots, and the legacy ledgers whose balance is not in a lot yet (a
 * legacy user's first lot is the opening one, api/_lib/credits/lots.ts: so those with no lot at
 * all, none once `npm run migrate:ledger` has run). Each list reads at most `cap` rows (one more
 * says it held more); such a legacy user's entries are all read (nothing adds to them).
 */
function figuresQuery(start: number, cap: number) {
  return {
    ledgerEntries: {
      $: {
        where: { createdAt: { $gte: start } },
        order: { createdAt: 'asc' },
        limit: cap + 1,
        fields: ['userId', 'amount', 'reason', 'sessionId', 'createdAt'],
      },
    },
    creditLots: {
      $: { where: { open: true }, limit: cap + 1, fields: ['size'] },
      claims: { $: { fields: ['id'] } },
    },
    $users: {
      $: { where: { 'ledger.seq': { $gt: 0 }, creditLots: { $isNull: true } }, limit: cap + 1, fields: ['id'] },
      ledger: { $: { fields: ['amount'] } },
    },
  };
}

type Db = ReturnType<typeof adminDb>;
type Snapshot = {
  ledgerEntries: LedgerRow[];
  creditLots: Holdings['creditLots'];
  $users: { ledger: { amount: number }[] }[];
};

/** The credits figures of `[start, end)` from one snapshot; `truncated` when a list held more than `cap` rows. */
export async function readCreditFigures(start: number, end: number, cap: number) {
  // Typed by hand: the SDK's where types take no epoch ms for a date, nor `$isNull` on a link.
  const read = (await adminDb().query(figuresQuery(start, cap) as unknown as Parameters<Db['query']>[0])) as Snapshot;
  const [rows, lots, legacy] = [
    read.ledgerEntries.slice(0, cap),
    read.creditLots.slice(0, cap),
    read.$users.slice(0, cap),
  ];
  // What everyone holds (contracts/credits.ts): the open lots' free units, and what each
  // unopened legacy ledger's entries add up to, as its opening lot will hold.
  const heldNow = legacy.reduce(
    (sum, u) => sum + legacyTotal(u.ledger),
    heldBalance({ creditLots: lots, ledgerEntries: [] }),
  );
  return {
    figures: creditFigures(rows, start, end, heldNow),
    truncated: [read.ledgerEntries, read.creditLots, read.$users].some((l) => l.length > cap),
    rowsRead: rows.length + lots.length + legacy.reduce((n, u) => n + 1 + u.ledger.length, 0),
  };
}
