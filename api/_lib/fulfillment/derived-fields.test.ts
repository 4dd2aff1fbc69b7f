// The overview's derived fields as a pure function of plain Stripe-shaped objects.
import { describe, expect, it } from 'vitest';
import { derivedFields, type DerivedInputs } from './derived-fields.ts';

const paid: DerivedInputs = { session: { status: 'complete' }, charge: { amount_refunded: 0 }, disputes: [] };
const derive = (change: Partial<DerivedInputs>, status: Parameters<typeof derivedFields>[1] = 'paid') =>
  derivedFields({ ...paid, ...change }, status);

describe('derivedFields', () => {
  it('is all zeros for a plain paid purchase, and for one with no charge (a free checkout)', () => {
    const zeros = { refundedAmount: 0, disputedAmount: 0, openDisputes: 0, pendingKind: null };
    expect(derive({})).toEqual(zeros);
    expect(derive({ charge: null })).toEqual(zeros);
  });

  it('carries a partial refund, which leaves the status paid, and a full one', () => {
    expect(derive({ charge: { amount_refunded: 150 } })).toMatchObject({ refundedAmount: 150 });
    expect(derive({ charge: { amount_refunded: 500 } }, 'refunded')).toMatchObject({ refundedAmount: 500 });
  });

  it('counts open disputes and the money open or lost disputes take; a won one takes nothing', () => {
    const d = (status: string, amount = 500) => ({ status, amount }) as DerivedInputs['disputes'][number];
    expect(derive({ disputes: [d('needs_response')] }, 'disputed')).toMatchObject({
      disputedAmount: 500,
      openDisputes: 1,
    });
    expect(derive({ disputes: [d('lost')] }, 'disputed')).toMatchObject({ disputedAmount: 500, openDisputes: 0 });
    expect(derive({ disputes: [d('won'), d('warning_closed')] })).toMatchObject({ disputedAmount: 0, openDisputes: 0 });
    expect(derive({ disputes: [d('won', 300), d('under_review', 200)] }, 'disputed')).toMatchObject({
      disputedAmount: 200,
      openDisputes: 1,
    });
  });

  it('tells a delayed payment still processing from a checkout left open, and only for pending purchases', () => {
    expect(derive({ session: { status: 'complete' }, charge: null }, 'pending').pendingKind).toBe('async-payment');
    expect(derive({ session: { status: 'open' }, charge: null }, 'pending').pendingKind).toBe('open-checkout');
    expect(derive({ session: { status: 'expired' }, charge: null }, 'expired').pendingKind).toBeNull();
    expect(derive({ session: { status: 'complete' }, charge: null }, 'failed').pendingKind).toBeNull();
  });
});
