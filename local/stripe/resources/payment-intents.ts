import { resourceRoutes } from '../resource-routes.ts';
import type { Router } from '../router.ts';
import { optionalText } from './shared-params.ts';

const update = { copy: { description: optionalText } };

/**
 * Payment intents and charges are made by Checkout here; the API reads them
 * and updates metadata. Creating or confirming them directly is not covered.
 */
export function paymentIntentRoutes(router: Router): void {
  resourceRoutes(router, '/v1/payment_intents', 'payment_intent', {
    update,
    list: { filters: { customer: optionalText } },
  });
  resourceRoutes(router, '/v1/payment_methods', 'payment_method');
  const chargeFilters = { customer: optionalText, payment_intent: optionalText };
  resourceRoutes(router, '/v1/charges', 'charge', { update, list: { filters: chargeFilters } });
}
