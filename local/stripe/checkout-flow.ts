import type Stripe from 'stripe';
import { NO_REQUEST, type EventRequest, type LocalAccount } from './account.ts';
import {
  createCharge,
  createPaymentIntent,
  createPaymentMethod,
  markSucceeded,
  paymentError,
  type Billing,
  type ChargeExtras,
} from './payments.ts';
import { findPromotionCode, promotionCodeProblem } from './resources/coupons.ts';
import { createCustomer } from './resources/customers.ts';
import { openDispute } from './resources/disputes.ts';
import { recomputeAmounts, sessionExtras } from './session-extras.ts';
import { lookupCard } from './test-cards.ts';

/**
 * What the buyer submits on the hosted page (and what `/_local/.../pay`
 * takes): the same function serves both, so tests exercise the page's logic.
 */
export interface PayInput {
  email?: string;
  name?: string;
  /** `card` (default) or `delayed`, a bank debit whose result arrives later. */
  method?: 'card' | 'delayed';
  card?: string;
  /** Result a delayed payment will have when it settles. */
  delayed_outcome?: 'succeeded' | 'failed';
  promotion_code?: string;
}

export type PayResult =
  | { status: 'complete' | 'processing'; redirect: string }
  | { status: 'requires_action'; redirect: string }
  | { status: 'declined'; error: { code: string; decline_code?: string; message: string } }
  | { status: 'invalid'; error: { param: string; message: string } };

const EMAIL_RE = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** Where Checkout sends the buyer after paying: `success_url` with the id filled in. */
export function successRedirect(account: LocalAccount, session: Stripe.Checkout.Session): string {
  const url = session.success_url ?? `${account.baseUrl}/c/complete/{CHECKOUT_SESSION_ID}`;
  return url.replaceAll('{CHECKOUT_SESSION_ID}', session.id);
}

export function authenticationUrl(account: LocalAccount, session: Stripe.Checkout.Session): string {
  return `${account.baseUrl}/c/pay/${session.id}/authenticate`;
}

/** Why the session cannot take a payment now, or null. Expires it when past `expires_at`. */
function notPayable(account: LocalAccount, session: Stripe.Checkout.Session): string | null {
  if (session.status === 'open' && session.expires_at <= Math.floor(Date.now() / 1000)) expireSession(account, session);
  if (session.status === 'complete') return 'This Checkout Session has already been paid.';
  if (session.status === 'expired') return 'This Checkout Session has expired.';
  return null;
}

/** Applies a customer-facing promotion code; returns an error message or null. */
export function applyPromotionCode(
  account: LocalAccount,
  session: Stripe.Checkout.Session,
  code: string,
): string | null {
  if (!session.allow_promotion_codes) return 'This Checkout Session does not accept promotion codes.';
  const promo = findPromotionCode(account.store, code);
  const coupon = promo && account.store.get<Stripe.Coupon>('coupon', String(promo.promotion.coupon));
  if (!promo || !coupon) return 'This code is invalid.';
  const problem = promotionCodeProblem(promo, coupon);
  if (problem) return problem;
  if (coupon.amount_off !== null && coupon.currency !== session.currency) return 'This code is invalid.';
  session.discounts = [{ coupon: null, promotion_code: promo.id }];
  recomputeAmounts(account, session, coupon);
  return null;
}

export function removePromotionCode(account: LocalAccount, session: Stripe.Checkout.Session): void {
  session.discounts = null;
  recomputeAmounts(account, session, null);
}

function sessionEmail(
  account: LocalAccount,
  session: Stripe.Checkout.Session,
  typed: string | undefined,
): string | undefined {
  if (session.customer_email) return session.customer_email;
  if (typeof session.customer === 'string') {
    const customer = account.store.get<Stripe.Customer>('customer', session.customer);
    if (customer?.email && !typed) return customer.email;
  }
  return typed?.trim() || undefined;
}

function resolveCustomer(account: LocalAccount, session: Stripe.Checkout.Session, billing: Billing): string | null {
  if (typeof session.customer === 'string') return session.customer;
  if (session.customer_creation === 'always') {
    return createCustomer(account, { email: billing.email, name: billing.name }, NO_REQUEST).id;
  }
  return null;
}

function ensurePaymentIntent(
  account: LocalAccount,
  session: Stripe.Checkout.Session,
  customer: string | null,
  methodType: string,
): Stripe.PaymentIntent {
  if (typeof session.payment_intent === 'string') {
    const pi = account.store.require<Stripe.PaymentIntent>('payment_intent', session.payment_intent);
    if (customer && !pi.customer) pi.customer = customer;
    pi.payment_method_types = [methodType];
    return pi;
  }
  const data = sessionExtras(account, session.id).paymentIntentData;
  const pi = createPaymentIntent(
    account,
    {
      amount: session.amount_total ?? 0,
      currency: session.currency ?? 'usd',
      customer,
      metadata: data.metadata,
      description: data.description,
      receipt_email: data.receipt_email,
      payment_method_types: [methodType],
    },
    session.id,
    NO_REQUEST,
  );
  session.payment_intent = pi.id;
  return pi;
}

function redeemPromotion(account: LocalAccount, session: Stripe.Checkout.Session): void {
  const d = session.discounts?.[0];
  if (!d) return;
  const promo =
    typeof d.promotion_code === 'string'
      ? account.store.get<Stripe.PromotionCode>('promotion_code', d.promotion_code)
      : undefined;
  if (promo) promo.times_redeemed++;
  const couponId = promo ? String(promo.promotion.coupon) : typeof d.coupon === 'string' ? d.coupon : null;
  const coupon = couponId ? account.store.get<Stripe.Coupon>('coupon', couponId) : undefined;
  if (coupon) {
    coupon.times_redeemed++;
    if (coupon.max_redemptions !== null && coupon.times_redeemed >= coupon.max_redemptions) coupon.valid = false;
  }
}

function completeSession(
  account: LocalAccount,
  session: Stripe.Checkout.Session,
  billing: Billing,
  customer: string | null,
  paymentStatus: Stripe.Checkout.Session.PaymentStatus,
): void {
  session.status = 'complete';
  session.payment_status = paymentStatus;
  // As with Stripe, the page URL is only given out while the session is open.
  session.url = null;
  session.customer = customer;
  session.customer_details = {
    address: null,
    business_name: null,
    email: billing.email,
    individual_name: null,
    name: billing.name,
    phone: null,
    tax_exempt: 'none',
    tax_ids: [],
  } as unknown as Stripe.Checkout.Session.CustomerDetails;
  redeemPromotion(account, session);
  account.emit('checkout.session.completed', session);
}

function chargeAndComplete(
  account: LocalAccount,
  session: Stripe.Checkout.Session,
  pm: Stripe.PaymentMethod,
  billing: Billing,
): PayResult {
  const extras = sessionExtras(account, session.id);
  const customer = resolveCustomer(account, session, billing);
  const pi = ensurePaymentIntent(account, session, customer, 'card');
  const charge = createCharge(account, pi, pm, billing, { status: 'succeeded' });
  markSucceeded(pi, charge);
  if (extras.refundFails) account.store.extra<ChargeExtras>(charge.id).refundFails = true;
  extras.pendingAuthentication = undefined;
  account.emit('charge.succeeded', charge);
  account.emit('payment_intent.succeeded', pi);
  completeSession(account, session, billing, customer, 'paid');
  // 4000 0000 0000 0259: the payment succeeds, then the buyer disputes it.
  if (extras.dispute) openDispute(account, charge, { reason: 'fraudulent' });
  return { status: 'complete', redirect: successRedirect(account, session) };
}

/** Submits the hosted payment form. */
export function pay(account: LocalAccount, session: Stripe.Checkout.Session, input: PayInput): PayResult {
  const blocked = notPayable(account, session);
  if (blocked) return { status: 'invalid', error: { param: 'session', message: blocked } };
  if (input.promotion_code?.trim()) {
    const problem = applyPromotionCode(account, session, input.promotion_code);
    if (problem) return { status: 'invalid', error: { param: 'promotion_code', message: problem } };
  }
  const email = sessionEmail(account, session, input.email);
  if (!email) return { status: 'invalid', error: { param: 'email', message: 'Your email is incomplete.' } };
  if (!EMAIL_RE.test(email))
    return { status: 'invalid', error: { param: 'email', message: 'Your email address is invalid.' } };
  const billing: Billing = { email, name: input.name?.trim() || null };

  if (session.amount_total === 0) {
    // Nothing to charge (e.g. a 100%-off code): no payment intent, as with Stripe.
    completeSession(account, session, billing, resolveCustomer(account, session, billing), 'no_payment_required');
    return { status: 'complete', redirect: successRedirect(account, session) };
  }

  const extras = sessionExtras(account, session.id);
  if (input.method === 'delayed') {
    const pm = createPaymentMethod(account, { type: 'sepa_debit' }, billing, session.id);
    const customer = resolveCustomer(account, session, billing);
    const pi = ensurePaymentIntent(account, session, customer, 'sepa_debit');
    const charge = createCharge(account, pi, pm, billing, { status: 'pending' });
    pi.status = 'processing';
    extras.pendingSettlement = true;
    extras.settleOutcome = input.delayed_outcome ?? 'succeeded';
    account.emit('charge.pending', charge);
    account.emit('payment_intent.processing', pi);
    completeSession(account, session, billing, customer, 'unpaid');
    if (account.asyncPaymentDelayMs !== null) {
      account.later(account.asyncPaymentDelayMs, () => {
        if (extras.pendingSettlement) settleDelayedPayment(account, session);
      });
    }
    return { status: 'processing', redirect: successRedirect(account, session) };
  }

  const card = lookupCard(input.card ?? '');
  if ('error' in card) return { status: 'invalid', error: { param: 'card', message: card.error } };
  const pm = createPaymentMethod(account, { type: 'card', card }, billing, session.id);
  const behaviour = card.behaviour;
  if (behaviour.kind === 'decline') {
    const pi = ensurePaymentIntent(account, session, null, 'card');
    const charge = createCharge(account, pi, pm, billing, { status: 'failed', ...behaviour });
    paymentError(pi, charge, behaviour, pm);
    account.emit('charge.failed', charge);
    account.emit('payment_intent.payment_failed', pi);
    return {
      status: 'declined',
      error: { code: behaviour.code, decline_code: behaviour.decline_code, message: behaviour.message },
    };
  }
  extras.dispute = behaviour.kind === 'succeed' && behaviour.dispute === true;
  extras.refundFails = behaviour.kind === 'succeed' && behaviour.refundFails === true;
  if (behaviour.kind === 'authenticate') {
    const pi = ensurePaymentIntent(account, session, null, 'card');
    pi.status = 'requires_action';
    pi.payment_method = pm.id;
    pi.next_action = {
      type: 'use_stripe_sdk',
      use_stripe_sdk: { type: 'three_d_secure_redirect', stripe_js: authenticationUrl(account, session) },
    } as Stripe.PaymentIntent.NextAction;
    extras.pendingAuthentication = { paymentMethod: pm.id, email: billing.email, name: billing.name };
    account.emit('payment_intent.requires_action', pi);
    return { status: 'requires_action', redirect: authenticationUrl(account, session) };
  }
  return chargeAndComplete(account, session, pm, billing);
}

/** The buyer's answer on the 3-D Secure page. */
export function authenticate(account: LocalAccount, session: Stripe.Checkout.Session, approve: boolean): PayResult {
  const blocked = notPayable(account, session);
  if (blocked) return { status: 'invalid', error: { param: 'session', message: blocked } };
  const extras = sessionExtras(account, session.id);
  const pending = extras.pendingAuthentication;
  if (!pending)
    return {
      status: 'invalid',
      error: { param: 'session', message: 'No authentication is pending for this Checkout Session.' },
    };
  const pm = account.store.require<Stripe.PaymentMethod>('payment_method', pending.paymentMethod);
  const billing: Billing = { email: pending.email, name: pending.name };
  if (approve) return chargeAndComplete(account, session, pm, billing);
  extras.pendingAuthentication = undefined;
  const pi = account.store.require<Stripe.PaymentIntent>('payment_intent', String(session.payment_intent));
  const failure = {
    code: 'payment_intent_authentication_failure',
    message:
      'We are unable to authenticate your payment method. Please choose a different payment method and try again.',
  };
  paymentError(pi, null, failure, pm);
  account.emit('payment_intent.payment_failed', pi);
  return { status: 'declined', error: failure };
}

/** Delivers the result of a delayed payment: `async_payment_succeeded` or `_failed`. */
export function settleDelayedPayment(
  account: LocalAccount,
  session: Stripe.Checkout.Session,
  outcome?: 'succeeded' | 'failed',
): { ok: true } | { ok: false; message: string } {
  const extras = sessionExtras(account, session.id);
  if (!extras.pendingSettlement)
    return { ok: false, message: 'This Checkout Session has no delayed payment waiting for a result.' };
  extras.pendingSettlement = false;
  const result = outcome ?? (extras.settleOutcome as 'succeeded' | 'failed' | undefined) ?? 'succeeded';
  const pi = account.store.require<Stripe.PaymentIntent>('payment_intent', String(session.payment_intent));
  const charge = account.store.require<Stripe.Charge>('charge', String(pi.latest_charge));
  if (result === 'succeeded') {
    markSucceeded(pi, charge);
    session.payment_status = 'paid';
    account.emit('charge.succeeded', charge);
    account.emit('payment_intent.succeeded', pi);
    account.emit('checkout.session.async_payment_succeeded', session);
  } else {
    const failure = {
      code: 'insufficient_funds',
      message: "The customer's account has insufficient funds to cover this payment.",
    };
    charge.status = 'failed';
    charge.failure_code = failure.code;
    charge.failure_message = failure.message;
    const pm = account.store.require<Stripe.PaymentMethod>('payment_method', String(charge.payment_method));
    paymentError(pi, charge, failure, pm);
    account.emit('charge.failed', charge);
    account.emit('payment_intent.payment_failed', pi);
    account.emit('checkout.session.async_payment_failed', session);
  }
  return { ok: true };
}

/** Expires an open session and cancels its unfinished payment intent. */
export function expireSession(
  account: LocalAccount,
  session: Stripe.Checkout.Session,
  request: EventRequest = NO_REQUEST,
): void {
  session.status = 'expired';
  session.url = null;
  const extras = sessionExtras(account, session.id);
  extras.pendingAuthentication = undefined;
  if (typeof session.payment_intent === 'string') {
    const pi = account.store.get<Stripe.PaymentIntent>('payment_intent', session.payment_intent);
    if (pi && pi.status !== 'succeeded' && pi.status !== 'canceled') {
      pi.status = 'canceled';
      pi.canceled_at = Math.floor(Date.now() / 1000);
      pi.cancellation_reason = 'abandoned';
      account.emit('payment_intent.canceled', pi, { request });
    }
  }
  account.emit('checkout.session.expired', session, { request });
}
