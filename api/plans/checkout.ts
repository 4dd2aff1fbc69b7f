// POST /api/plans/checkout {planId} -> {url}, with `Authorization: Bearer <refresh token>`.
// Plans are one-time purchases; only a plan above the user's current one can be bought, and
// that is decided here, before checkout, never after payment.
import { findProduct } from '../../catalog/products.ts';
import { handler, HttpError } from '../_lib/platform/http.ts';
import { signedInCheckout } from '../_lib/checkout/signed-in-checkout.ts';
import { highestPaidPlan } from '../_lib/fulfillment/user-plan.ts';

export const POST = handler(
  signedInCheckout({
    kind: 'plan',
    field: 'planId',
    what: 'a plan',
    rateLimit: 'plans-checkout',
    cancelPath: '/account',
    async refuse(user, plan) {
      const current = await highestPaidPlan(user.id);
      if (!current || current.level < plan.level) return;
      const have = findProduct(current.productId)!.title;
      throw new HttpError(
        409,
        current.productId === plan.id
          ? `You already have the ${have}.`
          : `You have the ${have}, which includes the ${plan.title}: only a higher plan can be bought.`,
      );
    },
  }),
);
