// The purchase state machine as a pure function of plain Stripe-shaped objects.
import { describe, expect, it } from 'vitest';
import { purchaseStatus, type StatusInputs } from './purchase-status.ts';

const paid: StatusInputs = {
  session: { status: 'complete', payment_status: 'paid' },
  intent: { status: 'succeeded' },
  charge: { refunded: false },
  disputes: [],
};
const status = (change: Partial<StatusInputs>) => purchaseStatus({ ...paid, ...change });

describe('purchaseStatus', () => {
  it('is pending while the session is open and expired once Stripe ends it', () => {
    expect(status({ session: { status: 'open', payment_status: 'unpaid' }, intent: null, charge: null })).toBe(
      'pending',
    );
    expect(status({ session: { status: 'expired', payment_status: 'unpaid' }, intent: null, charge: null })).toBe(
      'expired',
    );
  });

  it('is paid for a complete, paid session, also when nothing was charged (a free checkout)', () => {
    expect(status({})).toBe('paid');
    expect(
      status({ session: { status: 'complete', payment_status: 'no_payment_required' }, intent: null, charge: null }),
    ).toBe('paid');
  });

  it('keeps a delayed payment pending while it processes and fails it when the intent wants a new method', () => {
    const unpaid = { status: 'complete', payment_status: 'unpaid' } as const;
    expect(status({ session: unpaid, intent: { status: 'processing' }, charge: null })).toBe('pending');
    expect(status({ session: unpaid, intent: { status: 'requires_payment_method' }, charge: null })).toBe('failed');
    expect(status({ session: unpaid, intent: { status: 'canceled' }, charge: null })).toBe('failed');
  });

  it('is refunded only when the charge is fully refunded', () => {
    expect(status({ charge: { refunded: true } })).toBe('refunded');
  });

  it('is disputed while any dispute is open or lost, and paid again once every dispute is settled for the seller', () => {
    expect(status({ disputes: [{ status: 'needs_response' }] })).toBe('disputed');
    expect(status({ disputes: [{ status: 'lost' }] })).toBe('disputed');
    expect(status({ disputes: [{ status: 'won' }, { status: 'warning_closed' }] })).toBe('paid');
    expect(status({ disputes: [{ status: 'won' }, { status: 'under_review' }] })).toBe('disputed');
  });

  it('puts an open dispute before a full refund', () => {
    expect(status({ charge: { refunded: true }, disputes: [{ status: 'warning_needs_response' }] })).toBe('disputed');
  });
});
