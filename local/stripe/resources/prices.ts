import type Stripe from 'stripe';
import { z } from 'zod';
import type { EventRequest, LocalAccount } from '../account.ts';
import { invalidRequest } from '../errors.ts';
import { nowSeconds } from '../ids.ts';
import { stableText } from '../../faults/fault-plan.ts';
import { boolParam, currencyParam, mergeMetadata, metadataParam, nonNegativeInt, parseParams } from '../params.ts';
import { given, listRoute, metadataChange, retrieveRoute, storeCreated, updateRoute } from '../resource-routes.ts';
import type { Router } from '../router.ts';
import { applyChanges } from '../updates.ts';
import { listParams } from './shared-params.ts';
import { productFromData } from './create-product.ts';
import { productDataSchema } from './shared-params.ts';

const createSchema = z.strictObject({
  currency: currencyParam,
  unit_amount: nonNegativeInt,
  product: z.string().optional(),
  product_data: productDataSchema.optional(),
  active: boolParam.optional(),
  nickname: z.string().optional(),
  lookup_key: z.string().max(200).optional(),
  transfer_lookup_key: boolParam.optional(),
  metadata: metadataParam.optional(),
  tax_behavior: z.enum(['inclusive', 'exclusive', 'unspecified']).optional(),
});

const updateSchema = z.strictObject({
  active: boolParam.optional(),
  nickname: z.string().optional(),
  lookup_key: z.string().max(200).optional(),
  transfer_lookup_key: boolParam.optional(),
  metadata: metadataParam.optional(),
});

const listSchema = z.strictObject({
  ...listParams,
  active: boolParam.optional(),
  currency: currencyParam.optional(),
  product: z.string().optional(),
  type: z.enum(['one_time', 'recurring']).optional(),
  lookup_keys: z.array(z.string()).max(10).optional(),
});

export interface PriceInput {
  currency: string;
  unit_amount: number;
  product: string;
  active?: boolean;
  nickname?: string;
  lookup_key?: string;
  transfer_lookup_key?: boolean;
  metadata?: Record<string, string>;
  tax_behavior?: 'inclusive' | 'exclusive' | 'unspecified';
}

/** Lookup keys are unique per account; `transfer_lookup_key` moves one. */
function claimLookupKey(
  account: LocalAccount,
  key: string,
  transfer: boolean | undefined,
  request?: EventRequest,
): void {
  const holder = account.store.all<Stripe.Price>('price').find((p) => p.lookup_key === key);
  if (!holder) return;
  if (!transfer) {
    throw invalidRequest(
      `A price (\`${holder.id}\`) already uses that lookup key. Set transfer_lookup_key=true to transfer it to this price.`,
      'lookup_key',
    );
  }
  const previous = applyChanges(holder, { lookup_key: null });
  if (previous) account.emit('price.updated', holder, { previous_attributes: previous, request });
}

export function createPrice(account: LocalAccount, input: PriceInput, request?: EventRequest): Stripe.Price {
  account.store.require('product', input.product, 'product', 'product');
  if (input.lookup_key) claimLookupKey(account, input.lookup_key, input.transfer_lookup_key, request);
  const price = {
    id: account.ids.next('price', stableText(input)),
    object: 'price',
    active: input.active ?? true,
    billing_scheme: 'per_unit',
    created: nowSeconds(),
    currency: input.currency,
    custom_unit_amount: null,
    livemode: false,
    lookup_key: input.lookup_key ?? null,
    metadata: input.metadata ?? {},
    nickname: input.nickname ?? null,
    product: input.product,
    recurring: null,
    tax_behavior: input.tax_behavior ?? 'unspecified',
    tiers_mode: null,
    transform_quantity: null,
    type: 'one_time',
    unit_amount: input.unit_amount,
    unit_amount_decimal: String(input.unit_amount),
  } as unknown as Stripe.Price;
  return storeCreated(account, 'price', price, request);
}

export function priceRoutes(router: Router): void {
  router.post('/v1/prices', ({ account, params, request }) => {
    const p = parseParams(createSchema, params);
    if (!p.product && !p.product_data)
      throw invalidRequest('Missing required param: product.', 'product', 'parameter_missing');
    if (p.product && p.product_data)
      throw invalidRequest('You may only specify one of these parameters: product, product_data.', 'product');
    const productId = p.product ?? productFromData(account, p.product_data!, request).id;
    const { product_data: _pd, ...rest } = p;
    return createPrice(account, { ...rest, product: productId, metadata: mergeMetadata({}, p.metadata) }, request);
  });

  retrieveRoute(router, '/v1/prices', 'price');

  updateRoute<Stripe.Price, typeof updateSchema>(
    router,
    '/v1/prices',
    'price',
    updateSchema,
    (price, p, { account, request }) => {
      if (p.lookup_key && p.lookup_key !== price.lookup_key)
        claimLookupKey(account, p.lookup_key, p.transfer_lookup_key, request);
      return {
        active: p.active,
        nickname: p.nickname,
        lookup_key: p.lookup_key,
        metadata: metadataChange(price.metadata, p.metadata),
      };
    },
  );

  listRoute<Stripe.Price, typeof listSchema>(
    router,
    '/v1/prices',
    'price',
    listSchema,
    (x, p) =>
      given(p.active, x.active) &&
      given(p.currency, x.currency) &&
      given(p.product, x.product) &&
      given(p.type, x.type) &&
      (p.lookup_keys === undefined || (x.lookup_key !== null && p.lookup_keys.includes(x.lookup_key))),
  );
}
