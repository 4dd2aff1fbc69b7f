// The ledger entries a credit pack's Stripe view implies, as a pure function of plain objects.
import { describe, expect, it } from 'vitest';
import { creditEntries, packCredits, type CreditInputs } from './credit-entries.ts';

const pack = { credits: 10, title: '10 credits' };
const view = (change: Partial<CreditInputs> = {}): CreditInputs => ({
  session: { id: 'cs_1', metadata: {}, amount_total: 500 },
  intent: { id: 'pi_1' },
  charge: { amount: 500 },
  refunds: [],
  disputes: [],
  ...change,
});
const refund = (id: string, amount: number, status = 'succeeded') => ({ id, amount, status });
const restores = (entries: ReturnType<typeof creditEntries>) =>
  entries.map((e) => (e.kind === 'clawback' ? (e.restore?.ref ?? null) : 'grant'));
const amounts = (entries: ReturnType<typeof creditEntries>) =>
  entries.map((e) => `${e.ref} ${e.kind === 'grant' ? '+' : '-'}${e.amount}`);

describe('creditEntries', () => {
  it('grants nothing for a session that was never paid', () => {
    expect(creditEntries(view(), 'pending', pack)).toEqual([]);
    expect(creditEntries(view(), 'expired', pack)).toEqual([]);
  });

  it('grants the pack once paid, the credits pinned in metadata winning over the catalog', () => {
    expect(amounts(creditEntries(view(), 'paid', pack))).toEqual(['grant:cs_1 +10']);
    const pinned = view({ session: { id: 'cs_1', metadata: { credits: '12' }, amount_total: 500 } });
    expect(amounts(creditEntries(pinned, 'paid', pack))).toEqual(['grant:cs_1 +12']);
  });

  it('ignores a pinned value that is not a positive whole number', () => {
    expect(packCredits({ metadata: { credits: '-3' } }, 10)).toBe(10);
    expect(packCredits({ metadata: { credits: '2.5' } }, 10)).toBe(10);
    expect(packCredits({ metadata: null }, 10)).toBe(10);
  });

  it('takes back floor-rounded shares of partial refunds that add up to the pack, oldest first', () => {
    const refunds = [refund('re_a', 150), refund('re_b', 150), refund('re_c', 200)];
    expect(amounts(creditEntries(view({ refunds }), 'refunded', pack))).toEqual([
      'grant:cs_1 +10',
      'clawback:re_a -3',
      'clawback:re_b -3',
      'clawback:re_c -4',
    ]);
  });

  it('skips a refund too small to take a credit, and restores what a failed or canceled refund took', () => {
    const refunds = [refund('re_tiny', 10), refund('re_failed', 250, 'failed'), refund('re_canceled', 240, 'canceled')];
    const entries = creditEntries(view({ refunds }), 'paid', pack);
    expect(amounts(entries)).toEqual(['grant:cs_1 +10', 'clawback:re_failed -5', 'clawback:re_canceled -5']);
    expect(restores(entries)).toEqual(['grant', 'refund-failed:re_failed', 'refund-failed:re_canceled']);
  });

  it('takes back a dispute’s share, at most the whole pack, and restores it when settled for the seller', () => {
    const disputes = [
      { id: 'dp_lost', amount: 900, status: 'lost' as const },
      { id: 'dp_won', amount: 250, status: 'won' as const },
    ];
    const entries = creditEntries(view({ disputes }), 'disputed', pack);
    expect(amounts(entries)).toEqual(['grant:cs_1 +10', 'dispute:dp_lost -10', 'dispute:dp_won -5']);
    expect(restores(entries)).toEqual(['grant', null, 'dispute-won:dp_won']);
  });

  it('grants a refunded session even when its status no longer says paid, so the clawback has something to follow', () => {
    expect(amounts(creditEntries(view({ refunds: [refund('re_all', 500)] }), 'refunded', pack))).toEqual([
      'grant:cs_1 +10',
      'clawback:re_all -10',
    ]);
  });

  it('only grants a free checkout: there is no charge to refund or dispute', () => {
    const free = view({ session: { id: 'cs_1', metadata: {}, amount_total: 0 }, intent: null, charge: null });
    expect(amounts(creditEntries(free, 'paid', pack))).toEqual(['grant:cs_1 +10']);
  });
});
