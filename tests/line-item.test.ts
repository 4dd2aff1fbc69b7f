// Catalog prices to Checkout line items: inline, by lookup key, by per-environment id; a
// placeholder or missing price fails before Stripe is asked to create anything.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Stripe from 'stripe';
import type { Product } from '../catalog/products.ts';
import { lineItemFor } from '../api/_lib/checkout/line-item.ts';
import { startStripeLocal, type StripeLocal } from '../local/stripe/index.ts';

let local: StripeLocal;
let stripe: Stripe;

beforeAll(async () => {
  local = await startStripeLocal();
  process.env.STRIPE_SECRET_KEY = local.secretKey;
  process.env.STRIPE_API_BASE = local.url;
  const url = new URL(local.url);
  stripe = new Stripe(local.secretKey, { host: url.hostname, port: Number(url.port), protocol: 'http' });
});
afterAll(() => local.close());

const product = (price: Product['price']): Product => ({
  id: 'test-pack',
  kind: 'wallpaper-pack',
  title: 'Test pack',
  description: 'd',
  price,
  wallpapers: ['dune'],
});

describe('lineItemFor', () => {
  it('builds an inline price with the product id as its metadata type', async () => {
    expect(await lineItemFor(product({ amount: 700, currency: 'eur' }))).toEqual({
      quantity: 1,
      price_data: {
        currency: 'eur',
        unit_amount: 700,
        product_data: { name: 'Test pack', metadata: { type: 'test-pack' } },
      },
    });
  });

  it('finds a price by lookup key in the configured account', async () => {
    const prod = await stripe.products.create({ name: 'Looked up' });
    const price = await stripe.prices.create({
      product: prod.id,
      unit_amount: 900,
      currency: 'usd',
      lookup_key: 'test-pack-usd',
    });
    expect(await lineItemFor(product({ lookupKey: 'test-pack-usd' }))).toEqual({ quantity: 1, price: price.id });
  });

  it('names the product and the fix when the lookup key matches no price', async () => {
    await expect(lineItemFor(product({ lookupKey: 'nobody-has-this' }))).rejects.toThrow(
      /"test-pack" uses the price lookup key "nobody-has-this".*create the price/,
    );
  });

  it('picks the id for STRIPE_PRICE_ENV and refuses a placeholder without calling Stripe', async () => {
    const p = product({ priceIds: { test: 'price_123', live: 'price_REPLACE_ME_live' } });
    expect(await lineItemFor(p, { STRIPE_PRICE_ENV: 'test' })).toEqual({ quantity: 1, price: 'price_123' });
    const before = local.account.store.all('checkout.session').length;
    await expect(lineItemFor(p, { STRIPE_PRICE_ENV: 'live' })).rejects.toThrow(
      /"test-pack" has no real Stripe price for STRIPE_PRICE_ENV=live \(found price_REPLACE_ME_live\)/,
    );
    await expect(lineItemFor(p, { STRIPE_PRICE_ENV: 'local' })).rejects.toThrow(/found none/);
    expect(local.account.store.all('checkout.session').length).toBe(before);
  });
});
