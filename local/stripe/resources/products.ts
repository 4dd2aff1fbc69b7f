import type Stripe from 'stripe';
import { z } from 'zod';
import type { EventRequest, LocalAccount } from '../account.ts';
import { invalidRequest } from '../errors.ts';
import { newId, nowSeconds } from '../ids.ts';
import { matchesRange, paginate } from '../lists.ts';
import { boolParam, currencyParam, mergeMetadata, metadataParam, nonNegativeInt, parseParams } from '../params.ts';
import type { Router } from '../router.ts';
import { applyChanges } from '../updates.ts';
import { listParams } from './shared-params.ts';
import { createPrice } from './prices.ts';

const createSchema = z.strictObject({
  id: z.string().optional(),
  name: z.string().min(1),
  active: boolParam.optional(),
  description: z.string().optional(),
  images: z.array(z.string()).optional(),
  metadata: metadataParam.optional(),
  url: z.string().optional(),
  default_price_data: z
    .strictObject({ currency: currencyParam, unit_amount: nonNegativeInt, metadata: metadataParam.optional() })
    .optional(),
});

const updateSchema = z.strictObject({
  name: z.string().min(1).optional(),
  active: boolParam.optional(),
  description: z.string().optional(),
  images: z.array(z.string()).optional(),
  metadata: metadataParam.optional(),
  url: z.string().optional(),
  default_price: z.string().optional(),
});

const listSchema = z.strictObject({
  ...listParams,
  active: boolParam.optional(),
  ids: z.array(z.string()).optional(),
});

export function createProduct(
  account: LocalAccount,
  input: { id?: string; name: string; active?: boolean; description?: string; images?: string[]; metadata?: Record<string, string>; url?: string },
  request?: EventRequest,
): Stripe.Product {
  if (input.id && account.store.lookup(input.id)) {
    throw invalidRequest(`Product already exists.`, 'id', 'resource_already_exists');
  }
  const now = nowSeconds();
  const product = {
    id: input.id ?? newId('prod', 14),
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
  account.store.put(product);
  account.emit('product.created', product, { request });
  return product;
}

export function productRoutes(router: Router): void {
  router.post('/v1/products', ({ account, params, request }) => {
    const p = parseParams(createSchema, params);
    const product = createProduct(account, { ...p, metadata: mergeMetadata({}, p.metadata) }, request);
    if (p.default_price_data) {
      const price = createPrice(
        account,
        {
          currency: p.default_price_data.currency,
          unit_amount: p.default_price_data.unit_amount,
          product: product.id,
          metadata: mergeMetadata({}, p.default_price_data.metadata),
        },
        request,
      );
      product.default_price = price.id;
    }
    return product;
  });

  router.get('/v1/products/:id', ({ account, path }) => account.store.require('product', path.id));

  router.post('/v1/products/:id', ({ account, params, path, request }) => {
    const product = account.store.require<Stripe.Product>('product', path.id);
    const p = parseParams(updateSchema, params);
    if (p.default_price) account.store.require('price', p.default_price, 'price', 'default_price');
    const previous = applyChanges(product, {
      name: p.name,
      active: p.active,
      description: p.description,
      images: p.images,
      url: p.url,
      default_price: p.default_price,
      metadata: p.metadata === undefined ? undefined : mergeMetadata(product.metadata, p.metadata),
    });
    if (previous) {
      product.updated = nowSeconds();
      account.emit('product.updated', product, { previous_attributes: previous, request });
    }
    return product;
  });

  router.delete('/v1/products/:id', ({ account, path, request }) => {
    const product = account.store.require<Stripe.Product>('product', path.id);
    if (account.store.all<Stripe.Price>('price').some((p) => p.product === product.id)) {
      throw invalidRequest('This product cannot be deleted because it has one or more user-created prices.', 'id');
    }
    account.store.delete(product.id);
    account.emit('product.deleted', product, { request });
    return { id: product.id, object: 'product', deleted: true };
  });

  router.get('/v1/products', ({ account, params, url }) => {
    const p = parseParams(listSchema, params);
    const items = account.store
      .all<Stripe.Product>('product')
      .filter(
        (x) =>
          (p.active === undefined || x.active === p.active) &&
          (p.ids === undefined || p.ids.includes(x.id)) &&
          matchesRange(x.created, params.created, 'created'),
      );
    return paginate(items, params, url);
  });
}
