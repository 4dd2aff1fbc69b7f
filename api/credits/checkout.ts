// POST /api/credits/checkout {packId} -> {url}, with `Authorization: Bearer <refresh token>`.
// Starts a credit pack purchase for the signed-in user: their Stripe customer (made once), the
// user and pack in the session's and the payment's metadata (the webhook grants from these),
// and a pending purchase linked to its owner.
import { randomUUID } from 'node:crypto';
import type Stripe from 'stripe';
import { z } from 'zod';
import { findProduct } from '../../catalog/products.ts';
import { appUrl } from '../_lib/app-url.ts';
import { purchaseIdFor } from '../_lib/fulfill-checkout.ts';
import { handler, HttpError, json, readJson } from '../_lib/http.ts';
import { adminDb, isAlreadyRecorded } from '../_lib/instant-admin.ts';
import { lineItemFor } from '../_lib/price-resolver.ts';
import { enforceRateLimit } from '../_lib/rate-limit.ts';
import { getStripe } from '../_lib/stripe-client.ts';
import { customerFor } from '../_lib/stripe-customer.ts';
import { verifyUser } from '../_lib/verify-user.ts';

const Body = z.object({ packId: z.string().min(1, 'packId is required').max(64) });

export const POST = handler(async (req) => {
  const user = await verifyUser(req);
  const { packId } = await readJson(req, Body, 1024);
  const product = findProduct(packId);
  if (product?.kind !== 'credits') throw new HttpError(400, `Unknown packId "${packId}": use the id of a credits product in catalog/products.ts.`);
  await enforceRateLimit('credits-checkout', user.id, { limit: 10, windowMs: 60_000 });

  const customer = await customerFor(user);
  const base = appUrl(req);
  // `token` lets the purchase record be found like any other; `credits` pins what was sold.
  const token = randomUUID();
  const metadata = { userId: user.id, productId: product.id, type: product.id, credits: String(product.credits), token };
  const params: Stripe.Checkout.SessionCreateParams = {
    mode: 'payment',
    customer,
    line_items: [await lineItemFor(product)],
    metadata,
    payment_intent_data: { metadata },
    success_url: `${base}/success?session_id={CHECKOUT_SESSION_ID}`,
    cancel_url: `${base}/credits`,
    ...(process.env.ALLOW_PROMOTION_CODES === 'true' ? { allow_promotion_codes: true } : {}),
  };
  const session = await getStripe().checkout.sessions.create(params);

  // Pending and create-only, as api/checkout does: a webhook that got here first is never overwritten.
  const db = adminDb();
  const purchaseId = purchaseIdFor(session.id);
  try {
    await db.transact(
      db.tx.purchases[purchaseId]
        .create({
          sessionId: session.id,
          token,
          status: 'pending',
          ...(user.email ? { email: user.email } : {}),
          productId: product.id,
          purchaseType: product.id,
          amount: session.amount_total ?? 0,
          currency: session.currency ?? 'usd',
          createdAt: session.created * 1000,
          updatedAt: Date.now(),
        })
        .link({ owner: user.id }),
    );
  } catch (e) {
    if (!isAlreadyRecorded(e)) throw e;
    await db.transact(db.tx.purchases[purchaseId].link({ owner: user.id }));
  }
  return json({ url: session.url });
});
