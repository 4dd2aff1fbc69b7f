import type Stripe from 'stripe';
import { z } from 'zod';
import type { EventRequest, LocalAccount } from '../account.ts';
import { invalidRequest, StripeApiError } from '../errors.ts';
import { nowSeconds } from '../ids.ts';
import { mergeMetadata, metadataParam, parseParams, positiveInt } from '../params.ts';
import type { ChargeExtras } from '../payments.ts';
import { resourceRoutes } from '../resource-routes.ts';
import type { Router } from '../router.ts';
import { applyChanges } from '../updates.ts';
import { chargeFilters } from './shared-params.ts';

const createSchema = z.strictObject({
  charge: z.string().optional(),
  payment_intent: z.string().optional(),
  amount: positiveInt.optional(),
  reason: z.enum(['duplicate', 'fraudulent', 'requested_by_customer']).optional(),
  metadata: metadataParam.optional(),
});

function money(amount: number, currency: string): string {
  return `${(amount / 100).toFixed(2)} ${currency.toUpperCase()}`;
}

function chargeFor(account: LocalAccount, p: z.infer<typeof createSchema>): Stripe.Charge {
  if (p.charge && p.payment_intent)
    throw invalidRequest('You may only specify one of these parameters: charge, payment_intent.', 'charge');
  if (p.charge) return account.store.require<Stripe.Charge>('charge', p.charge, 'charge', 'charge');
  if (!p.payment_intent)
    throw invalidRequest(
      'One of the following params should be provided for this request: payment_intent or charge.',
      'payment_intent',
      'parameter_missing',
    );
  const pi = account.store.require<Stripe.PaymentIntent>(
    'payment_intent',
    p.payment_intent,
    'payment_intent',
    'payment_intent',
  );
  const charge =
    typeof pi.latest_charge === 'string' ? account.store.get<Stripe.Charge>('charge', pi.latest_charge) : undefined;
  if (!charge || pi.status !== 'succeeded') {
    throw invalidRequest(
      `This PaymentIntent (${pi.id}) does not have a successful charge to refund.`,
      'payment_intent',
      'charge_not_refundable',
    );
  }
  return charge;
}

export function createRefund(
  account: LocalAccount,
  p: z.infer<typeof createSchema>,
  request?: EventRequest,
): Stripe.Refund {
  const charge = chargeFor(account, p);
  if (charge.status !== 'succeeded')
    throw invalidRequest(`Charge ${charge.id} has not succeeded, so it cannot be refunded.`, 'charge');
  if (charge.disputed) {
    throw new StripeApiError(400, {
      type: 'invalid_request_error',
      code: 'charge_disputed',
      message: `Charge ${charge.id} has been charged back; cannot issue a refund.`,
    });
  }
  const remaining = charge.amount - charge.amount_refunded;
  if (remaining <= 0) {
    throw new StripeApiError(400, {
      type: 'invalid_request_error',
      code: 'charge_already_refunded',
      message: `Charge ${charge.id} has already been refunded.`,
    });
  }
  const amount = p.amount ?? remaining;
  if (amount > remaining) {
    throw invalidRequest(
      `Refund amount (${money(amount, charge.currency)}) is greater than unrefunded amount on charge (${money(remaining, charge.currency)})`,
      'amount',
      'amount_too_large',
    );
  }
  const id = account.ids.next('re', charge.id);
  const refund = {
    id,
    object: 'refund',
    amount,
    balance_transaction: account.ids.next('txn', id),
    charge: charge.id,
    created: nowSeconds(),
    currency: charge.currency,
    destination_details: {
      card: { reference_status: 'pending', reference_type: 'acquirer_reference_number', type: 'refund' },
      type: 'card',
    },
    metadata: mergeMetadata({}, p.metadata),
    payment_intent: charge.payment_intent,
    reason: p.reason ?? null,
    receipt_number: null,
    source_transfer_reversal: null,
    status: 'succeeded',
    transfer_reversal: null,
  } as unknown as Stripe.Refund;
  account.store.put(refund);
  const previous = applyChanges(charge, {
    amount_refunded: charge.amount_refunded + amount,
    refunded: charge.amount_refunded + amount === charge.amount,
  });
  account.emit('refund.created', refund, { request });
  account.emit('charge.refunded', charge, { previous_attributes: previous ?? undefined, request });
  // 4000 0000 0000 5126: the refund is accepted, then fails later.
  if (account.store.extra<ChargeExtras>(charge.id).refundFails && account.asyncPaymentDelayMs !== null) {
    account.later(account.asyncPaymentDelayMs, () => {
      if (refund.status === 'succeeded') failRefund(account, refund);
    });
  }
  return refund;
}

/** A refund that the card network rejects after the fact: the money is back on the charge. */
export function failRefund(
  account: LocalAccount,
  refund: Stripe.Refund,
  reason = 'expired_or_canceled_card',
): Stripe.Refund {
  if (refund.status === 'failed' || refund.status === 'canceled') {
    throw invalidRequest(`Refund ${refund.id} has already ${refund.status}.`, 'refund');
  }
  const previous = applyChanges(refund, { status: 'failed' });
  refund.failure_reason = reason;
  refund.failure_balance_transaction = account.ids.next('txn', `${refund.id} failure`);
  const charge = account.store.require<Stripe.Charge>('charge', String(refund.charge));
  const chargePrevious = applyChanges(charge, {
    amount_refunded: charge.amount_refunded - refund.amount,
    refunded: false,
  });
  account.emit('refund.updated', refund, { previous_attributes: previous ?? undefined });
  account.emit('refund.failed', refund);
  if (chargePrevious) account.emit('charge.refund.updated', refund);
  return refund;
}

export function refundRoutes(router: Router): void {
  router.post('/v1/refunds', ({ account, params, request }) =>
    createRefund(account, parseParams(createSchema, params), request),
  );

  resourceRoutes(router, '/v1/refunds', 'refund', { update: {}, list: { filters: chargeFilters } });
}
