import type Stripe from 'stripe';
import { z } from 'zod';
import { invalidRequest } from '../errors.ts';
import { nowSeconds } from '../ids.ts';
import { stableText } from '../../faults/fault-plan.ts';
import {
  boolParam,
  currencyParam,
  intParam,
  mergeMetadata,
  metadataParam,
  parseParams,
  positiveInt,
} from '../params.ts';
import { resourceRoutes, storeCreated } from '../resource-routes.ts';
import type { Router } from '../router.ts';
import { optionalText } from './shared-params.ts';

const couponCreate = z.strictObject({
  id: optionalText,
  name: optionalText,
  percent_off: z
    .string()
    .transform(Number)
    .refine((n) => n > 0 && n <= 100, 'must be greater than 0 and at most 100')
    .optional(),
  amount_off: positiveInt.optional(),
  currency: currencyParam.optional(),
  duration: z.enum(['once', 'forever', 'repeating']).optional(),
  duration_in_months: positiveInt.optional(),
  max_redemptions: positiveInt.optional(),
  redeem_by: intParam.optional(),
  metadata: metadataParam.optional(),
});

const promoCreate = z.strictObject({
  promotion: z.strictObject({ type: z.literal('coupon'), coupon: z.string() }),
  code: z
    .string()
    .regex(/^[a-zA-Z0-9_-]{1,500}$/, 'may only contain letters, digits, - and _')
    .optional(),
  active: boolParam.optional(),
  customer: z.string().optional(),
  expires_at: intParam.optional(),
  max_redemptions: positiveInt.optional(),
  metadata: metadataParam.optional(),
});

/** The discount a coupon gives on an amount, never more than the amount. */
export function discountFor(coupon: Stripe.Coupon, amount: number, currency: string): number {
  if (coupon.percent_off !== null) return Math.round((amount * coupon.percent_off) / 100);
  if (coupon.amount_off !== null && coupon.currency === currency) return Math.min(coupon.amount_off, amount);
  return 0;
}

/** A promotion code by its customer-facing code (case-insensitive, as Checkout treats it). */
export function findPromotionCode(store: import('../store.ts').Store, code: string): Stripe.PromotionCode | undefined {
  const wanted = code.trim().toLowerCase();
  return store.all<Stripe.PromotionCode>('promotion_code').find((p) => p.active && p.code.toLowerCase() === wanted);
}

/** Why a promotion code cannot be used now, or null when it can. */
export function promotionCodeProblem(promo: Stripe.PromotionCode, coupon: Stripe.Coupon): string | null {
  if (!promo.active) return 'This code is not active.';
  if (promo.expires_at !== null && promo.expires_at < nowSeconds()) return 'This code has expired.';
  if (promo.max_redemptions !== null && promo.times_redeemed >= promo.max_redemptions)
    return 'This code has been fully redeemed.';
  if (!coupon.valid) return 'This code is no longer valid.';
  return null;
}

export function couponRoutes(router: Router): void {
  router.post('/v1/coupons', ({ account, params, request }) => {
    const p = parseParams(couponCreate, params);
    if ((p.percent_off === undefined) === (p.amount_off === undefined)) {
      throw invalidRequest('You must pass exactly one of percent_off or amount_off.', 'percent_off');
    }
    if (p.amount_off !== undefined && !p.currency) {
      throw invalidRequest('You must pass currency when passing amount_off.', 'currency', 'parameter_missing');
    }
    if (p.id && account.store.lookup(p.id))
      throw invalidRequest('Coupon already exists.', 'id', 'resource_already_exists');
    const coupon = {
      id: p.id ?? account.ids.token('coupon', stableText(p), 8),
      object: 'coupon',
      amount_off: p.amount_off ?? null,
      applies_to: undefined,
      created: nowSeconds(),
      currency: p.amount_off !== undefined ? p.currency! : null,
      duration: p.duration ?? 'once',
      duration_in_months: p.duration_in_months ?? null,
      livemode: false,
      max_redemptions: p.max_redemptions ?? null,
      metadata: mergeMetadata({}, p.metadata),
      name: p.name ?? null,
      percent_off: p.percent_off ?? null,
      redeem_by: p.redeem_by ?? null,
      times_redeemed: 0,
      valid: true,
    } as unknown as Stripe.Coupon;
    return storeCreated(account, 'coupon', coupon, request);
  });

  resourceRoutes(router, '/v1/coupons', 'coupon', { update: { copy: { name: optionalText } }, list: {}, delete: {} });

  router.post('/v1/promotion_codes', ({ account, params, request }) => {
    const p = parseParams(promoCreate, params);
    account.store.require('coupon', p.promotion.coupon, 'coupon', 'promotion[coupon]');
    if (p.customer) account.store.require('customer', p.customer, 'customer', 'customer');
    const code = p.code ?? account.ids.token('promotion_code', stableText(p), 8).toUpperCase();
    if (findPromotionCode(account.store, code)) {
      throw invalidRequest('An active promotion code with `code` already exists.', 'code');
    }
    const promo = {
      id: account.ids.next('promo', code),
      object: 'promotion_code',
      active: p.active ?? true,
      code,
      created: nowSeconds(),
      customer: p.customer ?? null,
      customer_account: null,
      expires_at: p.expires_at ?? null,
      livemode: false,
      max_redemptions: p.max_redemptions ?? null,
      metadata: mergeMetadata({}, p.metadata),
      promotion: { coupon: p.promotion.coupon, type: 'coupon' },
      restrictions: {
        currency_options: {},
        first_time_transaction: false,
        minimum_amount: null,
        minimum_amount_currency: null,
      },
      times_redeemed: 0,
    } as unknown as Stripe.PromotionCode;
    return storeCreated(account, 'promotion_code', promo, request);
  });

  const promoFilters = {
    active: boolParam.optional(),
    code: optionalText,
    coupon: optionalText,
    customer: optionalText,
  };
  resourceRoutes(router, '/v1/promotion_codes', 'promotion_code', {
    update: { copy: { active: boolParam.optional() } },
    list: { filters: promoFilters, by: { coupon: (x: Stripe.PromotionCode, coupon) => x.promotion.coupon === coupon } },
  });
}
