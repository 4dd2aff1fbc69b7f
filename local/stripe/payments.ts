import type Stripe from 'stripe';
import type { EventRequest, LocalAccount } from './account.ts';
import { nowSeconds, randomToken } from './ids.ts';
import type { TestCard } from './test-cards.ts';

/** How the buyer pays: a test card, or a bank debit whose result arrives later. */
export type PaymentSource = { type: 'card'; card: TestCard } | { type: 'sepa_debit' };

export interface Billing {
  email: string;
  name: string | null;
}

/** Internal facts about a charge that Stripe keeps to itself (test-card behaviour). */
export interface ChargeExtras extends Record<string, unknown> {
  refundFails?: boolean;
}

export function createPaymentMethod(
  account: LocalAccount,
  source: PaymentSource,
  billing: Billing,
  /** The session paid with it, which names it. */
  sessionId: string,
): Stripe.PaymentMethod {
  const details =
    source.type === 'card'
      ? {
          card: {
            brand: source.card.brand,
            checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: 'pass' },
            country: 'US',
            display_brand: source.card.brand,
            exp_month: 12,
            exp_year: new Date().getFullYear() + 5,
            fingerprint: randomToken(16),
            funding: 'credit',
            last4: source.card.last4,
            networks: { available: [source.card.brand], preferred: null },
            three_d_secure_usage: { supported: true },
            wallet: null,
          },
        }
      : {
          sepa_debit: {
            bank_code: '37040044',
            branch_code: '',
            country: 'DE',
            fingerprint: randomToken(16),
            last4: '3000',
          },
        };
  const pm = {
    id: account.ids.next('pm', sessionId),
    object: 'payment_method',
    allow_redisplay: 'unspecified',
    billing_details: { address: null, email: billing.email, name: billing.name, phone: null, tax_id: null },
    created: nowSeconds(),
    customer: null,
    livemode: false,
    metadata: {},
    type: source.type,
    ...details,
  } as unknown as Stripe.PaymentMethod;
  return account.store.put(pm);
}

export function createPaymentIntent(
  account: LocalAccount,
  input: {
    amount: number;
    currency: string;
    customer: string | null;
    metadata: Record<string, string>;
    description?: string | null;
    receipt_email?: string | null;
    payment_method_types: string[];
  },
  /** The session it pays, which names it. */
  sessionId: string,
  request?: EventRequest,
): Stripe.PaymentIntent {
  const id = account.ids.next('pi', sessionId);
  const pi = {
    id,
    object: 'payment_intent',
    amount: input.amount,
    amount_capturable: 0,
    amount_details: { tip: {} },
    amount_received: 0,
    application: null,
    application_fee_amount: null,
    automatic_payment_methods: null,
    canceled_at: null,
    cancellation_reason: null,
    capture_method: 'automatic_async',
    client_secret: `${id}_secret_${randomToken(25)}`,
    confirmation_method: 'automatic',
    created: nowSeconds(),
    currency: input.currency,
    customer: input.customer,
    description: input.description ?? null,
    last_payment_error: null,
    latest_charge: null,
    livemode: false,
    metadata: { ...input.metadata },
    next_action: null,
    on_behalf_of: null,
    payment_method: null,
    payment_method_configuration_details: null,
    payment_method_options: {},
    payment_method_types: input.payment_method_types,
    processing: null,
    receipt_email: input.receipt_email ?? null,
    review: null,
    setup_future_usage: null,
    shipping: null,
    source: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: 'requires_payment_method',
    transfer_data: null,
    transfer_group: null,
  } as unknown as Stripe.PaymentIntent;
  account.store.put(pi);
  account.emit('payment_intent.created', pi, { request });
  return pi;
}

type ChargeOutcome =
  | { status: 'succeeded' }
  | { status: 'pending' }
  | { status: 'failed'; code: string; decline_code?: string; message: string };

/** A charge attempt on a payment intent; does not emit, callers order the events. */
export function createCharge(
  account: LocalAccount,
  pi: Stripe.PaymentIntent,
  pm: Stripe.PaymentMethod,
  billing: Billing,
  outcome: ChargeOutcome,
): Stripe.Charge {
  const succeeded = outcome.status === 'succeeded';
  const failed = outcome.status === 'failed';
  const pmDetails =
    pm.type === 'card'
      ? {
          card: { ...pm.card, amount_authorized: pi.amount, network: pm.card?.brand ?? null, three_d_secure: null },
          type: 'card',
        }
      : { sepa_debit: pm.sepa_debit, type: 'sepa_debit' };
  const id = account.ids.next('ch', pi.id);
  const charge = {
    id,
    object: 'charge',
    amount: pi.amount,
    amount_captured: succeeded ? pi.amount : 0,
    amount_refunded: 0,
    application: null,
    application_fee: null,
    application_fee_amount: null,
    balance_transaction: failed ? null : account.ids.next('txn', id),
    billing_details: { address: null, email: billing.email, name: billing.name, phone: null, tax_id: null },
    calculated_statement_descriptor: 'INSTANT-SHOP',
    captured: !failed,
    created: nowSeconds(),
    currency: pi.currency,
    customer: typeof pi.customer === 'string' ? pi.customer : null,
    description: pi.description,
    disputed: false,
    failure_balance_transaction: null,
    failure_code: failed ? outcome.code : null,
    failure_message: failed ? outcome.message : null,
    fraud_details: {},
    livemode: false,
    metadata: { ...pi.metadata },
    on_behalf_of: null,
    outcome: failed
      ? {
          network_status: 'declined_by_network',
          reason: outcome.decline_code ?? outcome.code,
          risk_level: 'normal',
          risk_score: 40,
          seller_message: 'The bank did not return any further details with this decline.',
          type: 'issuer_declined',
        }
      : {
          network_status: 'approved_by_network',
          reason: null,
          risk_level: 'normal',
          risk_score: 20,
          seller_message: 'Payment complete.',
          type: 'authorized',
        },
    paid: succeeded,
    payment_intent: pi.id,
    payment_method: pm.id,
    payment_method_details: pmDetails,
    receipt_email: pi.receipt_email,
    receipt_number: null,
    receipt_url: null,
    refunded: false,
    review: null,
    shipping: null,
    source_transfer: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: outcome.status,
    transfer_data: null,
    transfer_group: null,
  } as unknown as Stripe.Charge;
  account.store.put(charge);
  pi.latest_charge = charge.id;
  pi.payment_method = pm.id;
  return charge;
}

/** Moves a payment intent to succeeded after its charge succeeded. */
export function markSucceeded(pi: Stripe.PaymentIntent, charge: Stripe.Charge): void {
  pi.status = 'succeeded';
  pi.amount_received = pi.amount;
  pi.last_payment_error = null;
  pi.next_action = null;
  pi.processing = null;
  charge.status = 'succeeded';
  charge.paid = true;
  charge.captured = true;
  charge.amount_captured = charge.amount;
}

/** The `last_payment_error` Stripe puts on a payment intent after a decline. */
export function paymentError(
  pi: Stripe.PaymentIntent,
  charge: Stripe.Charge | null,
  failure: { code: string; decline_code?: string; message: string },
  pm: Stripe.PaymentMethod,
): void {
  pi.status = 'requires_payment_method';
  pi.next_action = null;
  pi.processing = null;
  pi.last_payment_error = {
    charge: charge?.id,
    code: failure.code,
    decline_code: failure.decline_code,
    doc_url: `https://stripe.com/docs/error-codes/${failure.code.replace(/_/g, '-')}`,
    message: failure.message,
    payment_method: structuredClone(pm),
    type: failure.code === 'payment_intent_authentication_failure' ? 'invalid_request_error' : 'card_error',
  } as Stripe.PaymentIntent.LastPaymentError;
}
