// Creating a product, for the products API and for the inline `product_data` of prices and
// Checkout's `price_data` (so prices.ts and products.ts need not import each other).
import type Stripe from 'stripe';
import type { z } from 'zod';
import type { EventRequest, LocalAccount } from '../account.ts';
import { invalidRequest } from '../errors.ts';
import { nowSeconds } from '../ids.ts';
import { stableText } from '../../faults/fault-plan.ts';
import { mergeMetadata } from '../params.ts';
import { storeCreated } from '../resource-routes.ts';
import type { productDataSchema } from './shared-params.ts';

export function createProduct(
  account: LocalAccount,
  input: {
    id?: string;
    name: string;
    active?: boolean;
    description?: string;
    images?: string[];
    metadata?: Record<string, string>;
    url?: string;
  },
  request?: EventRequest,
): Stripe.Product {
  if (input.id && account.store.lookup(input.id)) {
    throw invalidRequest(`Product already exists.`, 'id', 'resource_already_exists');
  }
  const now = nowSeconds();
  const product = {
    id: input.id ?? account.ids.next('prod', stableText(input), 14),
    object: 'product',
    active: input.active ?? true,
    created: now,
    default_price: null,
    description: input.description ?? null,
    images: input.images ?? [],
    livemode: false,
    marketing_features: [],
    metadata: input.metadata ?? {},
    name: input.name,
    package_dimensions: null,
    shippable: null,
    statement_descriptor: null,
    tax_code: null,
    type: 'service',
    unit_label: null,
    updated: now,
    url: input.url ?? null,
  } as unknown as Stripe.Product;
  return storeCreated(account, 'product', product, request);
}

/** Creates the product of `product_data` (inline in prices and Checkout's `price_data`). */
export function productFromData(
  account: LocalAccount,
  data: z.infer<typeof productDataSchema>,
  request?: EventRequest,
): Stripe.Product {
  return createProduct(account, { ...data, metadata: mergeMetadata({}, data.metadata) }, request);
}
