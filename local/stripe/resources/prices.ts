import type Stripe from 'stripe';
import { z } from 'zod';
import type { EventRequest, LocalAccount } from '../account.ts';
import { invalidRequest } from '../errors.ts';
import { nowSeconds } from '../ids.ts';
import { stableText } from '../../faults/fault-plan.ts';
import { boolParam, currencyParam, mergeMetadata, metadataParam, nonNegativeInt, parseParams } from '../params.ts';
import { resourceRoutes, storeCreated } from '../resource-routes.ts';
import type { Router } from '../router.ts';
import { applyChanges } from '../updates.ts';
import { optionalText } from './shared-params.ts';
import { productFromData } from './create-product.ts';
import { productDataSchema } from './shared-params.ts';

const lookupKey = z.string().max(200).optional();

const createSchema = z.strictObject({
  currency: currencyParam,
  unit_amount: nonNegativeInt,
  product: z.string().optional(),
  product_data: productDataSchema.optional(),
  active: boolParam.optional(),
  nickname: z.string().optional(),
  lookup_key: lookupKey,
  transfer_lookup_key: boolParam.optional(),
  metadata: metadataParam.optional(),
  tax_behavior: z.enum(['inclusive', 'exclusive', 'unspecified']).optional(),
});

const listFilters = {
  active: boolParam.optional(),
  currency: currencyParam.optional(),
  product: optionalText,
  type: z.enum(['one_time', 'recurring']).optional(),
  lookup_keys: z.array(z.string()).max(10).optional(),
};

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

  resourceRoutes(router, '/v1/prices', 'price', {
    update: {
      copy: { active: boolParam.optional(), nickname: optionalText, lookup_key: lookupKey },
      using: { transfer_lookup_key: boolParam.optional() },
      changes: (price: Stripe.Price, p, { account, request }) => {
        if (p.lookup_key && p.lookup_key !== price.lookup_key)
          claimLookupKey(account, p.lookup_key, p.transfer_lookup_key, request);
        return {};
      },
    },
    list: {
      filters: listFilters,
      by: { lookup_keys: (x, keys) => x.lookup_key !== null && keys.includes(x.lookup_key) },
    },
  });
}
