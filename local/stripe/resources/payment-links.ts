import type Stripe from 'stripe';
import { z } from 'zod';
import type { LocalAccount } from '../account.ts';
import { nowSeconds } from '../ids.ts';
import { stableText } from '../../faults/fault-plan.ts';
import { paginate } from '../lists.ts';
import { boolParam, mergeMetadata, metadataParam, parseParams, positiveInt } from '../params.ts';
import { resourceRoutes } from '../resource-routes.ts';
import type { Router } from '../router.ts';
import { createSession, lineItemFor } from './checkout-sessions.ts';
import { listParams } from './shared-params.ts';

const afterCompletionSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('redirect'), redirect: z.strictObject({ url: z.string() }) }),
  z.strictObject({
    type: z.literal('hosted_confirmation'),
    hosted_confirmation: z.strictObject({ custom_message: z.string().optional() }).optional(),
  }),
]);

const createSchema = z.strictObject({
  line_items: z
    .array(z.strictObject({ price: z.string(), quantity: positiveInt }))
    .min(1)
    .max(20),
  metadata: metadataParam.optional(),
  after_completion: afterCompletionSchema.optional(),
  allow_promotion_codes: boolParam.optional(),
  customer_creation: z.enum(['always', 'if_required']).optional(),
  payment_intent_data: z
    .strictObject({ metadata: metadataParam.optional(), description: z.string().optional() })
    .optional(),
});

const updateFields = {
  active: boolParam.optional(),
  allow_promotion_codes: boolParam.optional(),
  after_completion: afterCompletionSchema.optional(),
};

interface LinkExtras extends Record<string, unknown> {
  lineItems: { price: string; quantity: number }[];
}

/** Stripe accepts only these as `client_reference_id` on a link and drops others. */
const CLIENT_REFERENCE_RE = /^[a-zA-Z0-9_-]{1,200}$/;

export function paymentLinkRoutes(router: Router): void {
  router.post('/v1/payment_links', ({ account, params, request }) => {
    const p = parseParams(createSchema, params);
    const prices = p.line_items.map((li, i) =>
      account.store.require<Stripe.Price>('price', li.price, 'price', `line_items[${i}][price]`),
    );
    const id = account.ids.next('plink', stableText(params));
    const afterCompletion = p.after_completion ?? { type: 'hosted_confirmation' as const };
    const link = {
      id,
      object: 'payment_link',
      active: true,
      after_completion:
        afterCompletion.type === 'redirect'
          ? { type: 'redirect', redirect: afterCompletion.redirect }
          : {
              type: 'hosted_confirmation',
              hosted_confirmation: { custom_message: afterCompletion.hosted_confirmation?.custom_message ?? null },
            },
      allow_promotion_codes: p.allow_promotion_codes ?? false,
      application: null,
      application_fee_amount: null,
      application_fee_percent: null,
      automatic_tax: { enabled: false, liability: null },
      billing_address_collection: 'auto',
      consent_collection: null,
      currency: prices[0].currency,
      custom_fields: [],
      custom_text: { after_submit: null, shipping_address: null, submit: null, terms_of_service_acceptance: null },
      customer_creation: p.customer_creation ?? 'if_required',
      inactive_message: null,
      invoice_creation: null,
      livemode: false,
      metadata: mergeMetadata({}, p.metadata),
      on_behalf_of: null,
      payment_intent_data: p.payment_intent_data
        ? {
            capture_method: null,
            description: p.payment_intent_data.description ?? null,
            metadata: mergeMetadata({}, p.payment_intent_data.metadata),
            setup_future_usage: null,
            statement_descriptor: null,
            statement_descriptor_suffix: null,
            transfer_group: null,
          }
        : null,
      payment_method_collection: 'always',
      payment_method_types: null,
      phone_number_collection: { enabled: false },
      restrictions: null,
      shipping_address_collection: null,
      shipping_options: [],
      submit_type: 'auto',
      subscription_data: null,
      tax_id_collection: { enabled: false, required: 'never' },
      transfer_data: null,
      url: `${account.baseUrl}/b/${id}`,
    } as unknown as Stripe.PaymentLink;
    account.store.put(link);
    account.store.extra<LinkExtras>(id).lineItems = p.line_items;
    account.emit('payment_link.created', link, { request });
    return link;
  });

  // Payment links have no `created`.
  const list = { filters: { active: boolParam.optional() }, created: false };
  resourceRoutes(router, '/v1/payment_links', 'payment_link', { update: { copy: updateFields }, list });

  router.get('/v1/payment_links/:id/line_items', ({ account, params, path, url }) => {
    const link = account.store.require<Stripe.PaymentLink>('payment_link', path.id);
    parseParams(z.strictObject(listParams), params);
    const items = account.store
      .extra<LinkExtras>(link.id)
      .lineItems.map((li, i) =>
        lineItemFor(
          account,
          account.store.require<Stripe.Price>('price', li.price),
          li.quantity,
          `li_${link.id.slice(6, 20)}${i}`,
        ),
      );
    return paginate(items, params, url);
  });
}

/**
 * Opening a payment link starts a new Checkout Session, honouring the
 * `client_reference_id` and `prefilled_email` query parameters.
 */
export function sessionForPaymentLink(
  account: LocalAccount,
  link: Stripe.PaymentLink,
  query: URLSearchParams,
): Stripe.Checkout.Session {
  const clientReference = query.get('client_reference_id');
  const prefilledEmail = query.get('prefilled_email');
  const after = link.after_completion;
  const lineItems = account.store.extra<LinkExtras>(link.id).lineItems;
  return createSession(
    account,
    {
      mode: 'payment',
      line_items: lineItems,
      success_url: after.type === 'redirect' && after.redirect ? after.redirect.url : undefined,
      client_reference_id: clientReference && CLIENT_REFERENCE_RE.test(clientReference) ? clientReference : undefined,
      customer_creation: link.customer_creation === 'always' ? 'always' : 'if_required',
      allow_promotion_codes: link.allow_promotion_codes || undefined,
      payment_intent_data: link.payment_intent_data
        ? {
            metadata: link.payment_intent_data.metadata,
            description: link.payment_intent_data.description ?? undefined,
          }
        : undefined,
      expires_at: nowSeconds() + 24 * 60 * 60,
    },
    { payment_link: link.id, prefilledEmail: prefilledEmail ?? undefined },
  );
}
