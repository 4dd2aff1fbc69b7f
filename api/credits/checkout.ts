// POST /api/credits/checkout {packId} -> {url}, with `Authorization: Bearer <refresh token>`.
// Starts a credit pack purchase for the signed-in user (start-checkout.ts); the webhook grants
// the pack from the session's metadata.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { findProduct } from '../../catalog/products.ts';
import { handler, HttpError, readJson } from '../_lib/platform/http.ts';
import { enforceRateLimit } from '../_lib/platform/rate-limit.ts';
import { startCheckout } from '../_lib/checkout/start-checkout.ts';
import { verifyUser } from '../_lib/platform/verify-user.ts';

const Body = z.object({ packId: z.string().min(1, 'packId is required').max(64) });

export const POST = handler(async (req) => {
  const user = await verifyUser(req);
  const { packId } = await readJson(req, Body, 1024);
  const product = findProduct(packId);
  if (product?.kind !== 'credits')
    throw new HttpError(400, `Unknown packId "${packId}": use the id of a credits product in catalog/products.ts.`);
  await enforceRateLimit('credits-checkout', user.id, { limit: 10, windowMs: 60_000 });
  // `credits` pins what was sold, should the catalog change before the webhook arrives.
  return startCheckout(req, {
    product,
    token: randomUUID(),
    user,
    cancelPath: '/credits',
    metadata: { credits: String(product.credits) },
  });
});
