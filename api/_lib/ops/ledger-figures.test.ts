// The credits figures of the overview from plain ledger rows.
import { describe, expect, it } from 'vitest';
import { creditFigures, type LedgerRow } from './ledger-figures.ts';

const row = (userId: string, amount: number, reason: string, at: number, sessionId?: string): LedgerRow => ({
  userId,
  amount,
  reason,
  createdAt: at,
  ...(sessionId ? { sessionId } : {}),
});

describe('creditFigures', () => {
  const rows = [
    row('a', 10, 'Bought 10 credits', 100, 'cs_1'),
    row('a', -1, 'Haiku about "rain"', 200),
    row('a', -9, 'Refund of 10 credits (1 already spent, not taken back)', 300, 'cs_1'),
    row('b', 50, 'Bought 50 credits', 50, 'cs_2'),
    row('b', -50, 'Payment for 50 credits disputed', 250, 'cs_2'),
    row('b', 50, 'Dispute over 50 credits won: credits restored', 260, 'cs_2'),
    row('b', -1, 'Haiku about "Bought things"', 400),
  ];

  // What the two users hold after every entry above: a 0, b 49.
  const HELD_NOW = 49;

  it('sums sales, spends and net clawbacks in the range, and what users hold at its end', () => {
    expect(creditFigures(rows, 0, 1000, HELD_NOW)).toEqual({ sold: 60, spent: 2, clawedBack: 9, outstanding: 49 });
  });

  it('counts only entries made in the range, and holdings as they were at its end', () => {
    expect(
      creditFigures(
        rows.filter((r) => Number(r.createdAt) >= 150),
        150,
        350,
        HELD_NOW,
      ),
    ).toEqual({ sold: 0, spent: 1, clawedBack: 9, outstanding: 50 });
    expect(creditFigures(rows, 0, 100, HELD_NOW)).toEqual({ sold: 50, spent: 0, clawedBack: 0, outstanding: 50 });
  });
});
