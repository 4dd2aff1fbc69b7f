// How the overview reads the credits ledger (`ledgerEntries`, kept by api/_lib/credits/): the one
// place that knows what an entry's `amount`, `reason` and `sessionId` say about its cause.
// Grants are positive entries of a purchase (`Bought …`); spends are negative entries of no
// purchase; clawbacks are negative entries of a purchase (a refund or dispute); an entry that
// gives a clawback back (a refund failed, a dispute won) is positive but not a sale.
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
 * outstanding: the credits users hold at `end`, worked back from what they hold now (`heldNow`,
 * the open lots) by the amounts entered since (a clawback's amount is what it took, never below
 * zero, so amounts add up to balances). `rows` are every entry made from `start` until now.
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
