// POST /api/plans/checkout {planId} -> {url}, with `Authorization: Bearer <refresh token>`.
// Plans are one-time purchases; only a plan above the user's current one can be bought, and
// that is decided here, before checkout, never after payment.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { findProduct } from '../../catalog/products.ts';
import { handler, HttpError, readJson } from '../_lib/platform/http.ts';
import { enforceRateLimit } from '../_lib/platform/rate-limit.ts';
import { startCheckout } from '../_lib/checkout/start-checkout.ts';
import { highestPaidPlan } from '../_lib/fulfillment/user-plan.ts';
import { verifyUser } from '../_lib/platform/verify-user.ts';

const Body = z.object({ planId: z.string().min(1, 'planId is required').max(64) });

export const POST = handler(async (req) => {
  const user = await verifyUser(req);
  const { planId } = await readJson(req, Body, 1024);
  const product = findProduct(planId);
  if (product?.kind !== 'plan')
    throw new HttpError(400, `Unknown planId "${planId}": use the id of a plan in catalog/products.ts.`);
  await enforceRateLimit('plans-checkout', user.id, { limit: 10, windowMs: 60_000 });
  const current = await highestPaidPlan(user.id);
  if (current && current.level >= product.level) {
    const have = findProduct(current.productId)!.title;
    throw new HttpError(
      409,
      current.productId === product.id
        ? `You already have the ${have}.`
        : `You have the ${have}, which includes the ${product.title}: only a higher plan can be bought.`,
    );
  }
  return startCheckout(req, { product, token: randomUUID(), user, cancelPath: '/account' });
});
