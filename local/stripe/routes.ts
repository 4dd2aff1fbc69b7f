import type { Expanders } from './expand.ts';
import { Router } from './router.ts';
import { checkoutSessionRoutes, lineItemsList } from './resources/checkout-sessions.ts';
import { couponRoutes } from './resources/coupons.ts';
import { customerRoutes } from './resources/customers.ts';
import { disputeRoutes } from './resources/disputes.ts';
import { eventRoutes } from './resources/events.ts';
import { paymentIntentRoutes } from './resources/payment-intents.ts';
import { paymentLinkRoutes } from './resources/payment-links.ts';
import { priceRoutes } from './resources/prices.ts';
import { productRoutes } from './resources/products.ts';
import { refundRoutes } from './resources/refunds.ts';
import { webhookEndpointRoutes } from './resources/webhook-endpoints.ts';
import { paginate } from './lists.ts';
import type Stripe from 'stripe';

/** Every `/v1` route the stand-in implements. */
export function buildRouter(): Router {
  const router = new Router();
  for (const register of [
    customerRoutes,
    productRoutes,
    priceRoutes,
    couponRoutes,
    checkoutSessionRoutes,
    paymentLinkRoutes,
    paymentIntentRoutes,
    refundRoutes,
    disputeRoutes,
    eventRoutes,
    webhookEndpointRoutes,
  ]) {
    register(router);
  }
  return router;
}

/** Includable fields that are not ids (Stripe's "includable" properties). */
export const expanders: Expanders = {
  'checkout.session': {
    line_items: (session, account) => lineItemsList(account, { id: String(session.id) }),
  },
  charge: {
    refunds: (charge, account) =>
      paginate(
        account.store.all<Stripe.Refund>('refund').filter((r) => r.charge === charge.id),
        { limit: '100' },
        `/v1/charges/${String(charge.id)}/refunds`,
      ),
  },
};
