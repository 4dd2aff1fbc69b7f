// Under `npm run dev`, the Stripe stand-in gets a product, a price and a payment link for a few
// catalog products, the way a seller makes them in Stripe's dashboard: the product carries
// `metadata.type` (the second place resolve-purchase-type.ts looks; payment-link sessions carry no session
// metadata), and the link returns to the success page. Their URLs become VITE_CHECKOUT_URL_*.
import Stripe from 'stripe';
import { findProduct } from '../../catalog/products.ts';

export const LINKED_PRODUCTS = ['wallpapers-all', 'credits-small', 'plan-medium', 'field-guide'];

export const checkoutUrlVar = (productId: string) => `VITE_CHECKOUT_URL_${productId.toUpperCase().replace(/-/g, '_')}`;

export async function createLocalPaymentLinks(
  stripeUrl: string,
  secretKey: string,
  appUrl: string,
): Promise<Record<string, string>> {
  const u = new URL(stripeUrl);
  const stripe = new Stripe(secretKey, { host: u.hostname, port: Number(u.port), protocol: 'http' });
  const env: Record<string, string> = {};
  for (const id of LINKED_PRODUCTS) {
    const product = findProduct(id);
    if (!product || !('amount' in product.price)) continue;
    const prod = await stripe.products.create({ name: product.title, metadata: { type: product.id } });
    const price = await stripe.prices.create({
      product: prod.id,
      unit_amount: product.price.amount,
      currency: product.price.currency,
    });
    const link = await stripe.paymentLinks.create({
      line_items: [{ price: price.id, quantity: 1 }],
      after_completion: { type: 'redirect', redirect: { url: `${appUrl}/success?session_id={CHECKOUT_SESSION_ID}` } },
    });
    env[checkoutUrlVar(id)] = link.url;
  }
  return env;
}
