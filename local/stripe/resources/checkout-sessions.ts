import type Stripe from 'stripe';
import { z } from 'zod';
import type { EventRequest, LocalAccount } from '../account.ts';
import { expireSession } from '../checkout-flow.ts';
import { invalidRequest, StripeApiError } from '../errors.ts';
import { checkoutSessionKey, nowSeconds } from '../ids.ts';
import { paginate } from '../lists.ts';
import {
  boolParam,
  currencyParam,
  intParam,
  mergeMetadata,
  metadataParam,
  nonNegativeInt,
  parseParams,
  positiveInt,
} from '../params.ts';
import { resourceRoutes } from '../resource-routes.ts';
import type { Router } from '../router.ts';
import { recomputeAmounts, sessionExtras } from '../session-extras.ts';
import { productFromData } from './create-product.ts';
import { createPrice } from './prices.ts';
import { listParams, optionalText, productDataSchema } from './shared-params.ts';

const lineItemSchema = z.strictObject({
  price: optionalText,
  price_data: z
    .strictObject({
      currency: currencyParam,
      unit_amount: nonNegativeInt,
      product: z.string().optional(),
      product_data: productDataSchema.optional(),
      tax_behavior: z.enum(['inclusive', 'exclusive', 'unspecified']).optional(),
    })
    .optional(),
  quantity: positiveInt,
});

const createSchema = z.strictObject({
  mode: z.enum(['payment', 'setup', 'subscription']),
  line_items: z.array(lineItemSchema).min(1).max(100).optional(),
  success_url: z.string().optional(),
  cancel_url: z.string().optional(),
  metadata: metadataParam.optional(),
  client_reference_id: z.string().max(200).optional(),
  customer: z.string().optional(),
  customer_email: z.string().optional(),
  customer_creation: z.enum(['always', 'if_required']).optional(),
  payment_intent_data: z
    .strictObject({
      metadata: metadataParam.optional(),
      description: z.string().optional(),
      receipt_email: z.string().optional(),
    })
    .optional(),
  allow_promotion_codes: boolParam.optional(),
  discounts: z
    .array(z.strictObject({ coupon: z.string().optional(), promotion_code: z.string().optional() }))
    .max(1)
    .optional(),
  expires_at: intParam.optional(),
  payment_method_types: z.array(z.string()).optional(),
  currency: currencyParam.optional(),
  locale: z.string().optional(),
  submit_type: z.enum(['auto', 'book', 'donate', 'pay', 'subscribe']).optional(),
  billing_address_collection: z.enum(['auto', 'required']).optional(),
  ui_mode: z.literal('hosted').optional(),
});
export type SessionCreateInput = z.infer<typeof createSchema>;

const listFilters = {
  payment_intent: optionalText,
  payment_link: optionalText,
  customer: optionalText,
  customer_details: z.strictObject({ email: z.string() }).optional(),
  status: z.enum(['open', 'complete', 'expired']).optional(),
  subscription: optionalText,
};

/** A line item as Stripe shows one, for a session or a payment link (which gives a stable id). */
export function lineItemFor(
  account: LocalAccount,
  price: Stripe.Price,
  quantity: number,
  id = account.ids.next('li', price.id),
): Stripe.LineItem {
  const product = account.store.get<Stripe.Product>('product', String(price.product));
  const amount = (price.unit_amount ?? 0) * quantity;
  return {
    id,
    object: 'item',
    amount_discount: 0,
    amount_subtotal: amount,
    amount_tax: 0,
    amount_total: amount,
    currency: price.currency,
    description: product?.name ?? null,
    metadata: {},
    price: structuredClone(price),
    quantity,
  } as unknown as Stripe.LineItem;
}

/** Creates a Checkout Session (used by the API and by payment link pages). */
export function createSession(
  account: LocalAccount,
  p: SessionCreateInput,
  extras: { payment_link?: string; prefilledEmail?: string } = {},
  request?: EventRequest,
): Stripe.Checkout.Session {
  if (p.mode !== 'payment') {
    throw invalidRequest(`The local Stripe stand-in only supports mode=payment, not ${p.mode}.`, 'mode');
  }
  if (!p.line_items) throw invalidRequest('Missing required param: line_items.', 'line_items', 'parameter_missing');
  if (p.customer && p.customer_email) {
    throw invalidRequest('You may only specify one of these parameters: customer, customer_email.', 'customer_email');
  }
  if (p.customer && p.customer_creation) {
    throw invalidRequest(
      'You may only specify one of these parameters: customer, customer_creation.',
      'customer_creation',
    );
  }
  if (p.allow_promotion_codes && p.discounts) {
    throw invalidRequest(
      'You may only specify one of these parameters: allow_promotion_codes, discounts.',
      'discounts',
    );
  }
  if (p.customer) account.store.require('customer', p.customer, 'customer', 'customer');
  const now = nowSeconds();
  if (p.expires_at !== undefined && (p.expires_at < now + 30 * 60 - 5 || p.expires_at > now + 24 * 60 * 60)) {
    throw invalidRequest(
      'The `expires_at` timestamp must be between 30 minutes and 24 hours from Checkout Session creation.',
      'expires_at',
    );
  }

  // Resolve prices first so that a bad line item creates nothing.
  const resolved = p.line_items.map((li, i) => {
    if (li.price && li.price_data) {
      throw invalidRequest(
        'You may only specify one of these parameters: price, price_data.',
        `line_items[${i}][price]`,
      );
    }
    if (li.price) {
      const price = account.store.require<Stripe.Price>('price', li.price, 'price', `line_items[${i}][price]`);
      if (!price.active)
        throw invalidRequest(
          `The price specified is inactive. This field only accepts active prices.`,
          `line_items[${i}][price]`,
        );
      return { price, quantity: li.quantity };
    }
    if (!li.price_data)
      throw invalidRequest(
        `Missing required param: line_items[${i}][price].`,
        `line_items[${i}][price]`,
        'parameter_missing',
      );
    const pd = li.price_data;
    if (!pd.product && !pd.product_data) {
      throw invalidRequest(
        `Missing required param: line_items[${i}][price_data][product].`,
        `line_items[${i}][price_data][product]`,
        'parameter_missing',
      );
    }
    if (pd.product) account.store.require('product', pd.product, 'product', `line_items[${i}][price_data][product]`);
    return { data: pd, quantity: li.quantity };
  });
  const currencies = new Set(resolved.map((r) => ('price' in r ? r.price!.currency : r.data!.currency)));
  if (currencies.size > 1) throw invalidRequest('All line items must have the same currency.', 'line_items');
  const currency = p.currency ?? [...currencies][0];

  let coupon: Stripe.Coupon | null = null;
  let discounts: Stripe.Checkout.Session.Discount[] | null = null;
  if (p.discounts && p.discounts.length > 0) {
    const d = p.discounts[0];
    if (d.promotion_code) {
      const promo = account.store.require<Stripe.PromotionCode>(
        'promotion_code',
        d.promotion_code,
        'promotion code',
        'discounts[0][promotion_code]',
      );
      coupon = account.store.require<Stripe.Coupon>('coupon', String(promo.promotion.coupon));
      discounts = [{ coupon: null, promotion_code: promo.id }];
    } else if (d.coupon) {
      coupon = account.store.require<Stripe.Coupon>('coupon', d.coupon, 'coupon', 'discounts[0][coupon]');
      discounts = [{ coupon: coupon.id, promotion_code: null }];
    }
  }

  const lineItems = resolved.map((r) => {
    if ('price' in r && r.price) return lineItemFor(account, r.price, r.quantity);
    const pd = r.data!;
    const productId = pd.product ?? productFromData(account, pd.product_data!, request).id;
    // Stripe makes an inactive price for `price_data`; it is not reusable.
    const price = createPrice(
      account,
      {
        currency: pd.currency,
        unit_amount: pd.unit_amount,
        product: productId,
        active: false,
        tax_behavior: pd.tax_behavior,
      },
      request,
    );
    return lineItemFor(account, price, r.quantity);
  });

  const id = account.ids.next('cs_test', checkoutSessionKey({ ...p, ...extras }), 58);
  const session = {
    id,
    object: 'checkout.session',
    adaptive_pricing: null,
    after_expiration: null,
    allow_promotion_codes: p.allow_promotion_codes ?? null,
    allowed_payment_method_types: null,
    amount_subtotal: 0,
    amount_total: 0,
    automatic_tax: { enabled: false, liability: null, provider: null, status: null },
    billing_address_collection: p.billing_address_collection ?? null,
    cancel_url: p.cancel_url ?? null,
    client_reference_id: p.client_reference_id ?? null,
    client_secret: null,
    collected_information: null,
    consent: null,
    consent_collection: null,
    created: now,
    currency,
    currency_conversion: null,
    custom_fields: [],
    custom_text: { after_submit: null, shipping_address: null, submit: null, terms_of_service_acceptance: null },
    customer: p.customer ?? null,
    customer_account: null,
    customer_creation: p.customer ? null : (p.customer_creation ?? 'if_required'),
    customer_details: null,
    customer_email: p.customer_email ?? null,
    discounts,
    expires_at: p.expires_at ?? now + 24 * 60 * 60,
    integration_identifier: null,
    invoice: null,
    invoice_creation: {
      enabled: false,
      invoice_data: {
        account_tax_ids: null,
        custom_fields: null,
        description: null,
        footer: null,
        issuer: null,
        metadata: {},
        rendering_options: null,
      },
    },
    livemode: false,
    locale: p.locale ?? null,
    managed_payments: null,
    metadata: mergeMetadata({}, p.metadata),
    mode: 'payment',
    origin_context: null,
    payment_intent: null,
    payment_link: extras.payment_link ?? null,
    payment_method_collection: 'if_required',
    payment_method_configuration_details: null,
    payment_method_options: {},
    payment_method_types: p.payment_method_types ?? ['card'],
    payment_status: 'unpaid',
    permissions: null,
    recovered_from: null,
    saved_payment_method_options: null,
    setup_intent: null,
    shipping_address_collection: null,
    shipping_cost: null,
    shipping_options: [],
    status: 'open',
    submit_type: p.submit_type ?? null,
    subscription: null,
    success_url: p.success_url ?? null,
    total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
    ui_mode: 'hosted',
    url: `${account.baseUrl}/c/pay/${id}`,
    wallet_options: null,
  } as unknown as Stripe.Checkout.Session;
  account.store.put(session);
  const ex = sessionExtras(account, id);
  ex.lineItems = lineItems;
  ex.paymentIntentData = {
    metadata: mergeMetadata({}, p.payment_intent_data?.metadata),
    description: p.payment_intent_data?.description,
    receipt_email: p.payment_intent_data?.receipt_email,
  };
  if (extras.prefilledEmail) ex.prefilledEmail = extras.prefilledEmail;
  recomputeAmounts(account, session, coupon);
  return session;
}

export function lineItemsList(account: LocalAccount, session: { id: string }): Stripe.ApiList<Stripe.LineItem> {
  const items = sessionExtras(account, session.id).lineItems ?? [];
  return {
    object: 'list',
    data: items, // answers are serialized at once (see expand.ts), so the store's items need no copy
    has_more: false,
    url: `/v1/checkout/sessions/${session.id}/line_items`,
  };
}

export function checkoutSessionRoutes(router: Router): void {
  router.post('/v1/checkout/sessions', ({ account, params, request }) =>
    createSession(account, parseParams(createSchema, params), {}, request),
  );

  resourceRoutes(router, '/v1/checkout/sessions', 'checkout.session', {
    update: { event: null },
    list: {
      filters: listFilters,
      by: { customer_details: (s: Stripe.Checkout.Session, d) => s.customer_details?.email === d.email },
    },
  });

  router.post('/v1/checkout/sessions/:id/expire', ({ account, path, request }) => {
    const session = account.store.require<Stripe.Checkout.Session>('checkout.session', path.id, 'checkout.session');
    if (session.status !== 'open') {
      throw new StripeApiError(400, {
        type: 'invalid_request_error',
        message: `Only Checkout Sessions with a status in ["open"] can be expired. This Checkout Session has a status of "${session.status}".`,
      });
    }
    expireSession(account, session, request);
    return session;
  });

  router.get('/v1/checkout/sessions/:id/line_items', ({ account, params, path, url }) => {
    const session = account.store.require<Stripe.Checkout.Session>('checkout.session', path.id, 'checkout.session');
    parseParams(z.strictObject(listParams), params);
    // Line items keep the order they were given in; paging walks forward from the first.
    return paginate(sessionExtras(account, session.id).lineItems, params, url);
  });
}
