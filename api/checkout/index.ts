// POST /api/checkout {token, productId} -> {url}
// Starts a guest purchase. The browser made `token` and saved it before calling, so whatever
// happens next (webhook first, redirect first, a lost tab) the buyer already holds the key
// that the purchase will carry.
import { z } from 'zod';
import { findProduct } from '../../catalog/products.ts';
import { clientAddress, handler, HttpError, readJson } from '../_lib/platform/http.ts';
import { enforceRateLimit } from '../_lib/platform/rate-limit.ts';
import { startCheckout } from '../_lib/checkout/start-checkout.ts';

const Body = z.object({
  token: z
    .string()
    .regex(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i,
      'token must be a UUID v4 (crypto.randomUUID())',
    ),
  productId: z.string().min(1, 'productId is required'),
});

export const POST = handler(async (req) => {
  const { token, productId } = await readJson(req, Body);
  const product = findProduct(productId);
  if (!product) throw new HttpError(400, `Unknown productId "${productId}": use an id from catalog/products.ts.`);
  if (product.kind !== 'wallpaper-pack' && product.kind !== 'download') {
    throw new HttpError(400, `"${productId}" is a ${product.kind} product: buy it signed in, from its own page.`);
  }
  if (product.kind === 'download' && product.withdrawn) throw new HttpError(410, `"${productId}" is no longer sold.`);
  await enforceRateLimit('checkout', clientAddress(req), { limit: 20, windowMs: 60_000 });
  return startCheckout(req, { product, token, cancelPath: '/' });
});
