// A catalog product's Checkout line item. Inline prices need no Stripe setup; lookup keys and
// per-environment price ids let local, test and live accounts differ by configuration only.
// A placeholder or missing price fails here, naming the product and the fix, before Stripe is called.
import type Stripe from 'stripe';
import type { Product } from '../../../catalog/products.ts';
import { ConfigError } from '../platform/config-error.ts';
import { getStripe } from '../platform/stripe-client.ts';

export async function lineItemFor(
  product: Product,
  env = process.env,
): Promise<Stripe.Checkout.SessionCreateParams.LineItem> {
  const p = product.price;
  if ('amount' in p) {
    return {
      quantity: 1,
      price_data: {
        currency: p.currency,
        unit_amount: p.amount,
        product_data: { name: product.title, metadata: { type: product.id } },
      },
    };
  }
  if ('priceIds' in p) {
    const stage = env.STRIPE_PRICE_ENV ?? 'test';
    const id = p.priceIds[stage];
    if (!id || /REPLACE_ME/i.test(id)) {
      throw new ConfigError(
        `Product "${product.id}" has no real Stripe price for STRIPE_PRICE_ENV=${stage} (found ${id ?? 'none'}): put the price id from your Stripe dashboard in catalog/products.ts.`,
      );
    }
    return { quantity: 1, price: id };
  }
  const { data } = await getStripe().prices.list({ lookup_keys: [p.lookupKey], active: true, limit: 1 });
  if (!data[0]) {
    throw new ConfigError(
      `Product "${product.id}" uses the price lookup key "${p.lookupKey}", which no active price in this Stripe account has: create the price with that lookup key.`,
    );
  }
  return { quantity: 1, price: data[0].id };
}
