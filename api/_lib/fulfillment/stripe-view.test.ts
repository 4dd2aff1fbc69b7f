// When an event's own copy of its session may stand in for the first read (viewFromEvent).
import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { FRESH_EVENT_S, viewFromEvent } from './stripe-view.ts';

const NOW = 1_800_000_000_000;
const session = {
  object: 'checkout.session',
  id: 'cs_test_1',
  status: 'complete',
  payment_status: 'paid',
  metadata: { type: 'wallpapers-warm', token: '0b8a4c8e-7f3d-4c2a-9d1e-5f6a7b8c9d0e' },
};
const event = (change: object = {}, ageS = 1, type = 'checkout.session.completed') =>
  ({
    id: 'evt_1',
    object: 'event',
    type,
    created: NOW / 1000 - ageS,
    data: { object: { ...session, ...change } },
  }) as unknown as Stripe.Event;

describe('viewFromEvent', () => {
  it('stands in for a fresh paid or expired session naming its type, with nothing read beside it', () => {
    expect(viewFromEvent(event(), NOW)).toEqual({
      session: { ...session },
      intent: null,
      charge: null,
      refunds: [],
      disputes: [],
    });
    expect(viewFromEvent(event({ status: 'expired', payment_status: 'unpaid' }), NOW)?.session.status).toBe('expired');
    expect(viewFromEvent(event({ payment_status: 'no_payment_required' }), NOW)).not.toBeNull();
  });

  it('is refused past the age bound: a redelivery days later may carry a session since refunded', () => {
    expect(viewFromEvent(event({}, FRESH_EVENT_S), NOW)).not.toBeNull();
    expect(viewFromEvent(event({}, FRESH_EVENT_S + 1), NOW)).toBeNull();
    expect(viewFromEvent(event({}, 3 * 86_400), NOW)).toBeNull();
  });

  it('is refused where the status needs the payment intent (a delayed payment) or the type needs line items', () => {
    expect(
      viewFromEvent(event({ payment_status: 'unpaid' }, 1, 'checkout.session.async_payment_failed'), NOW),
    ).toBeNull();
    expect(viewFromEvent(event({ metadata: {} }), NOW)).toBeNull(); // a payment link: the product names it
    expect(viewFromEvent(event({ metadata: { type: 'no-such-product' } }), NOW)).toBeNull();
  });

  it('is refused for events about other objects (a refund names its charge, not the session)', () => {
    const refunded = { ...event(), type: 'charge.refunded', data: { object: { object: 'charge', id: 'ch_1' } } };
    expect(viewFromEvent(refunded as unknown as Stripe.Event, NOW)).toBeNull();
  });
});
