import type Stripe from 'stripe';
import { z } from 'zod';
import type { EventRequest, LocalAccount } from '../account.ts';
import { invalidRequest } from '../errors.ts';
import { nowSeconds } from '../ids.ts';
import { mergeMetadata, metadataParam, parseParams } from '../params.ts';
import { resourceRoutes } from '../resource-routes.ts';
import type { Router } from '../router.ts';
import { applyChanges } from '../updates.ts';
import { chargeFilters } from './shared-params.ts';

export const DISPUTE_REASONS = [
  'bank_cannot_process',
  'credit_not_processed',
  'customer_initiated',
  'debit_not_authorized',
  'duplicate',
  'fraudulent',
  'general',
  'incorrect_account_details',
  'insufficient_funds',
  'product_not_received',
  'product_unacceptable',
  'subscription_canceled',
  'unrecognized',
] as const;

const updateSchema = z.strictObject({
  metadata: metadataParam.optional(),
  evidence: z.record(z.string(), z.string()).optional(),
  submit: z.string().optional(),
});

/** Opens a dispute on a charge, as a cardholder's bank would. */
export function openDispute(
  account: LocalAccount,
  charge: Stripe.Charge,
  options: { reason?: (typeof DISPUTE_REASONS)[number]; amount?: number } = {},
  request?: EventRequest,
): Stripe.Dispute {
  if (charge.status !== 'succeeded')
    throw invalidRequest(`Charge ${charge.id} has not succeeded, so it cannot be disputed.`, 'charge');
  if (charge.disputed) throw invalidRequest(`Charge ${charge.id} is already disputed.`, 'charge');
  const amount = options.amount ?? charge.amount - charge.amount_refunded;
  if (amount <= 0 || amount > charge.amount)
    throw invalidRequest('The dispute amount must be between 1 and the charge amount.', 'amount');
  const now = nowSeconds();
  const dispute = {
    id: account.ids.next('dp', charge.id),
    object: 'dispute',
    amount,
    balance_transactions: [],
    charge: charge.id,
    created: now,
    currency: charge.currency,
    enhanced_eligibility_types: [],
    evidence: {},
    evidence_details: {
      due_by: now + 7 * 24 * 60 * 60,
      enhanced_eligibility: {},
      has_evidence: false,
      past_due: false,
      submission_count: 0,
    },
    is_charge_refundable: false,
    livemode: false,
    metadata: {},
    payment_intent: charge.payment_intent,
    payment_method_details: {
      card: { brand: 'visa', case_type: 'chargeback', network_reason_code: '10.4' },
      type: 'card',
    },
    reason: options.reason ?? 'fraudulent',
    status: 'needs_response',
  } as unknown as Stripe.Dispute;
  account.store.put(dispute);
  const previous = applyChanges(charge, { disputed: true });
  account.emit('charge.dispute.created', dispute, { request });
  if (previous) account.emit('charge.updated', charge, { previous_attributes: previous, request });
  return dispute;
}

/** Closes a dispute as won or lost (`disputes.close` means accepting it: lost). */
export function closeDispute(
  account: LocalAccount,
  dispute: Stripe.Dispute,
  status: 'won' | 'lost',
  request?: EventRequest,
): Stripe.Dispute {
  if (dispute.status === 'won' || dispute.status === 'lost') {
    throw invalidRequest(`This dispute is already closed (status: ${dispute.status}).`, 'dispute');
  }
  const previous = applyChanges(dispute, { status });
  account.emit('charge.dispute.closed', dispute, { previous_attributes: previous ?? undefined, request });
  if (status === 'won') account.emit('charge.dispute.funds_reinstated', dispute, { request });
  return dispute;
}

export function disputeRoutes(router: Router): void {
  // Updates take evidence and a submit as well, and are announced even when only evidence came.
  resourceRoutes(router, '/v1/disputes', 'dispute', { list: { filters: chargeFilters } });

  router.post('/v1/disputes/:id', ({ account, params, path, request }) => {
    const dispute = account.store.require<Stripe.Dispute>('dispute', path.id);
    const p = parseParams(updateSchema, params);
    const previous = applyChanges(dispute, {
      metadata: p.metadata === undefined ? undefined : mergeMetadata(dispute.metadata, p.metadata),
    });
    if (p.evidence) {
      Object.assign(dispute.evidence, p.evidence);
      dispute.evidence_details.has_evidence = true;
    }
    if (p.submit === 'true') {
      dispute.evidence_details.submission_count++;
      dispute.status = 'under_review';
    }
    if (previous || p.evidence || p.submit)
      account.emit('charge.dispute.updated', dispute, { previous_attributes: previous ?? undefined, request });
    return dispute;
  });

  router.post('/v1/disputes/:id/close', ({ account, path, request }) => {
    const dispute = account.store.require<Stripe.Dispute>('dispute', path.id);
    return closeDispute(account, dispute, 'lost', request);
  });
}
