// POST /api/checkout {token, productId} -> {url}
// Starts a guest purchase. The browser made `token` and saved it before calling, so whatever
// happens next (webhook first, redirect first, a lost tab) the buyer already holds the key
// that the purchase will carry.
import type Stripe from 'stripe';
import { z } from 'zod';
import { findProduct } from '../../catalog/products.ts';
import { purchaseIdFor } from '../_lib/fulfill-checkout.ts';
import { clientAddress, handler, HttpError, json, readJson } from '../_lib/http.ts';
import { adminDb, isAlreadyRecorded } from '../_lib/instant-admin.ts';
import { lineItemFor } from '../_lib/price-resolver.ts';
import { enforceRateLimit } from '../_lib/rate-limit.ts';
import { getStripe } from '../_lib/stripe-client.ts';
import { appUrl } from '../_lib/app-url.ts';

const Body = z.object({
  token: z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i, 'token must be a UUID v4 (crypto.randomUUID())'),
  productId: z.string().min(1, 'productId is required'),
});

export const POST = handler(async (req) => {
  const { token, productId } = await readJson(req, Body);
  const product = findProduct(productId);
  if (!product) throw new HttpError(400, `Unknown productId "${productId}": use an id from catalog/products.ts.`);
  if (product.kind !== 'wallpaper-pack' && product.kind !== 'download') {
    throw new HttpError(400, `"${productId}" is a ${product.kind} product: buy it signed in, from its own page.`);
  }
  await enforceRateLimit('checkout', clientAddress(req), { limit: 20, windowMs: 60_000 });

  const base = appUrl(req);
  const metadata = { token, productId: product.id, type: product.id };
  const params: Stripe.Checkout.SessionCreateParams = {
    mode: 'payment',
    line_items: [await lineItemFor(product)],
    metadata,
    payment_intent_data: { metadata },
    success_url: `${base}/success?session_id={CHECKOUT_SESSION_ID}`,
    cancel_url: `${base}/`,
    customer_creation: 'if_required',
    ...(process.env.ALLOW_PROMOTION_CODES === 'true' ? { allow_promotion_codes: true } : {}),
  };
  const session = await getStripe().checkout.sessions.create(params);

  // Recorded as pending, create-only: a webhook that somehow got here first is never overwritten.
  const db = adminDb();
  try {
    await db.transact(
      db.tx.purchases[purchaseIdFor(session.id)].create({
        sessionId: session.id,
        token,
        status: 'pending',
        productId: product.id,
        purchaseType: product.id,
        amount: session.amount_total ?? 0,
        currency: session.currency ?? 'usd',
        createdAt: session.created * 1000,
        updatedAt: Date.now(),
      }),
    );
  } catch (e) {
    if (!isAlreadyRecorded(e)) throw e;
  }
  return json({ url: session.url });
});
