import type Stripe from 'stripe';
import type { LocalAccount } from './account.ts';
import { authenticate, expireSession, pay, settleDelayedPayment } from './checkout-flow.ts';
import { createSession } from './resources/checkout-sessions.ts';
import { createCustomer } from './resources/customers.ts';
import { closeDispute, openDispute } from './resources/disputes.ts';
import { createRefund, failRefund } from './resources/refunds.ts';

/**
 * Fixtures in the manner of `stripe trigger`: each builds the real objects
 * and goes through the same code paths, so the events are the genuine ones.
 */
function openSession(account: LocalAccount): Stripe.Checkout.Session {
  return createSession(account, {
    mode: 'payment',
    line_items: [
      { price_data: { currency: 'usd', unit_amount: 2000, product_data: { name: 'Triggered item' } }, quantity: 1 },
    ],
    success_url: 'https://example.com/success?session_id={CHECKOUT_SESSION_ID}',
    cancel_url: 'https://example.com/cancel',
  });
}

function paidCharge(account: LocalAccount, card = '4242424242424242'): Stripe.Charge {
  const session = openSession(account);
  pay(account, session, { email: 'buyer@example.com', card });
  const pi = account.store.require<Stripe.PaymentIntent>('payment_intent', String(session.payment_intent));
  return account.store.require<Stripe.Charge>('charge', String(pi.latest_charge));
}

function delayed(account: LocalAccount, outcome: 'succeeded' | 'failed'): void {
  const session = openSession(account);
  pay(account, session, { email: 'buyer@example.com', method: 'delayed', delayed_outcome: outcome });
  settleDelayedPayment(account, session, outcome);
}

export const TRIGGERS: Record<string, (account: LocalAccount) => void> = {
  'customer.created': (a) => void createCustomer(a, { email: 'triggered@example.com', name: 'Triggered Customer' }),
  'checkout.session.completed': (a) => void paidCharge(a),
  'payment_intent.succeeded': (a) => void paidCharge(a),
  'charge.succeeded': (a) => void paidCharge(a),
  'payment_intent.payment_failed': (a) =>
    void pay(a, openSession(a), { email: 'buyer@example.com', card: '4000000000000002' }),
  'charge.failed': (a) => void pay(a, openSession(a), { email: 'buyer@example.com', card: '4000000000000002' }),
  'payment_intent.requires_action': (a) =>
    void pay(a, openSession(a), { email: 'buyer@example.com', card: '4000000000003220' }),
  'checkout.session.async_payment_succeeded': (a) => delayed(a, 'succeeded'),
  'checkout.session.async_payment_failed': (a) => delayed(a, 'failed'),
  'checkout.session.expired': (a) => expireSession(a, openSession(a)),
  'charge.refunded': (a) => void createRefund(a, { charge: paidCharge(a).id }),
  'refund.created': (a) => void createRefund(a, { charge: paidCharge(a).id }),
  'refund.failed': (a) => void failRefund(a, createRefund(a, { charge: paidCharge(a).id })),
  'charge.dispute.created': (a) => void openDispute(a, paidCharge(a)),
  'charge.dispute.closed': (a) => void closeDispute(a, openDispute(a, paidCharge(a)), 'lost'),
  'payment_intent.canceled': (a) => {
    const session = openSession(a);
    pay(a, session, { email: 'buyer@example.com', card: '4000000000003220' });
    authenticate(a, session, false);
    expireSession(a, session);
  },
};
