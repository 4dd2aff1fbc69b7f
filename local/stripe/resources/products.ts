import type Stripe from 'stripe';
import { z } from 'zod';
import { invalidRequest } from '../errors.ts';
import { nowSeconds } from '../ids.ts';
import { boolParam, currencyParam, mergeMetadata, metadataParam, nonNegativeInt, parseParams } from '../params.ts';
import { resourceRoutes } from '../resource-routes.ts';
import type { Router } from '../router.ts';
import { optionalText } from './shared-params.ts';
import { createProduct } from './create-product.ts';
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

const updateFields = {
  name: z.string().min(1).optional(),
  active: boolParam.optional(),
  description: optionalText,
  images: z.array(z.string()).optional(),
  url: optionalText,
  default_price: optionalText,
};

const listFilters = { active: boolParam.optional(), ids: z.array(z.string()).optional() };

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

  resourceRoutes(router, '/v1/products', 'product', {
    update: {
      copy: updateFields,
      changes: (_product: Stripe.Product, p, { account }) => {
        if (p.default_price) account.store.require('price', p.default_price, 'price', 'default_price');
        return {};
      },
      changed: (product) => (product.updated = nowSeconds()),
    },
    list: { filters: listFilters, by: { ids: (x, ids) => ids.includes(x.id) } },
    delete: {
      refuse: (product, account) => {
        if (account.store.all<Stripe.Price>('price').some((p) => p.product === product.id)) {
          throw invalidRequest('This product cannot be deleted because it has one or more user-created prices.', 'id');
        }
      },
    },
  });
}
