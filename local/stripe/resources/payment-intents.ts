import type Stripe from 'stripe';
import { z } from 'zod';
import { metadataParam } from '../params.ts';
import { given, listRoute, metadataChange, retrieveRoute, updateRoute } from '../resource-routes.ts';
import type { Router } from '../router.ts';
import { listParams } from './shared-params.ts';

const listSchema = z.strictObject({ ...listParams, customer: z.string().optional() });
const chargeListSchema = z.strictObject({
  ...listParams,
  customer: z.string().optional(),
  payment_intent: z.string().optional(),
});
const updateSchema = z.strictObject({ metadata: metadataParam.optional(), description: z.string().optional() });

/**
 * Payment intents and charges are made by Checkout here; the API reads them
 * and updates metadata. Creating or confirming them directly is not covered.
 */
export function paymentIntentRoutes(router: Router): void {
  retrieveRoute(router, '/v1/payment_intents', 'payment_intent');

  updateRoute<Stripe.PaymentIntent, typeof updateSchema>(
    router,
    '/v1/payment_intents',
    'payment_intent',
    updateSchema,
    (pi, p) => ({
      description: p.description,
      metadata: metadataChange(pi.metadata, p.metadata),
    }),
  );

  listRoute<Stripe.PaymentIntent, typeof listSchema>(
    router,
    '/v1/payment_intents',
    'payment_intent',
    listSchema,
    (x, p) => given(p.customer, x.customer),
  );

  retrieveRoute(router, '/v1/payment_methods', 'payment_method');

  retrieveRoute(router, '/v1/charges', 'charge');

  updateRoute<Stripe.Charge, typeof updateSchema>(router, '/v1/charges', 'charge', updateSchema, (charge, p) => ({
    description: p.description,
    metadata: metadataChange(charge.metadata, p.metadata),
  }));

  listRoute<Stripe.Charge, typeof chargeListSchema>(
    router,
    '/v1/charges',
    'charge',
    chargeListSchema,
    (x, p) => given(p.customer, x.customer) && given(p.payment_intent, x.payment_intent),
  );
}
